import { byId, groupedBy } from '../../graphql/batch-loaders.ts';
import { createRateLimit } from '../../lib/rate-limiter.ts';
import { defineModule, topics } from '../module.ts';
import type { ChannelTopics } from './events.ts';
import './graphql.ts';
import { type ChannelService, createChannelService } from './service.ts';

/** Live channels: products, the highlight, who is watching. */
export const channelsModule = defineModule({
  name: 'channels',
  topics: topics<ChannelTopics>(),
  services: ({ db, outbox, streams, redis, presence, config }) => ({
    channels: createChannelService({
      db,
      outbox,
      streams,
      presence,
      highlightLimit: createRateLimit(redis, {
        name: 'channel-highlights',
        points: config.channels.highlightLimit,
        durationSeconds: config.channels.highlightWindowSeconds,
      }),
    }),
  }),
  loaders: {
    channel: (s: { channels: ChannelService }) => byId(s.channels.byIds),
    product: (s: { channels: ChannelService }) => byId(s.channels.productsByIds),
    productsByChannel: (s: { channels: ChannelService }) => groupedBy(s.channels.productsByChannelIds, (p) => p.channelId),
  },
});
