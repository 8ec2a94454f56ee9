import type { ModuleTopics } from './modules/index.ts';
import type { RealtimeTopics } from './realtime/outbox.ts';

/**
 * The one map of real-time topics, assembled from the modules that own them
 * (each declares its own in events.ts), shared by the API and the workers.
 * Topic names are `entity:event`; every topic is keyed by one id.
 */
export type Topics = ModuleTopics & RealtimeTopics;
