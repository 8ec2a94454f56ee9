import type { ChannelTopics } from './modules/channels/events.ts';
import type { LinkTopics } from './modules/links/events.ts';
import type { PostTopics } from './modules/posts/events.ts';
import type { ReactionTopics } from './modules/reactions/events.ts';
import type { SessionTopics } from './modules/sessions/events.ts';
import type { StoryTopics } from './modules/stories/events.ts';

/**
 * The one map of real-time topics, assembled from the modules that own them
 * (as tables.ts assembles their tables), shared by the API and the workers.
 * Topic names are `entity:event`; every topic is keyed by one id.
 */
export type Topics = PostTopics & ReactionTopics & LinkTopics & StoryTopics & ChannelTopics & SessionTopics;
