/** A user lost access to a MEMBERS section (removed, or banned): their subscriptions to it end. */
export interface SectionAccessLostEvent {
  sectionId: string;
  userId: string;
}

export type SectionTopics = {
  /** One key, `all`, for the whole cluster: every instance ends the subscriptions of whoever lost access. */
  'section:access-lost': SectionAccessLostEvent;
};
