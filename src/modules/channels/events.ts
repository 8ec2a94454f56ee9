/** A channel's whole highlight state after a change; `version` orders them. */
export interface HighlightState {
  channelId: string;
  version: number;
  /** ISO-8601, null when nothing is highlighted. */
  highlightedAt: string | null;
  product: {
    id: string;
    channelId: string;
    name: string;
    description: string | null;
    priceCents: number;
    currency: string;
    imageUrl: string | null;
    createdAt: string;
  } | null;
}

export type ChannelTopics = {
  /** Keyed by channel id; the sequence number of each event is the channel's version. */
  'channel:highlight': HighlightState;
};
