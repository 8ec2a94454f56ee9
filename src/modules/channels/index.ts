import { byId, groupedBy } from '../../graphql/batch-loaders.ts';
import { createRateLimit } from '../../lib/rate-limiter.ts';
import { defineModule, topics } from '../module.ts';
import type { BlockLists } from '../users/block-lists.ts';
import type { Blocks } from '../users/blocks.ts';
import type { ChannelTopics } from './events.ts';
import './graphql.ts';
import './moderation-graphql.ts';
import './product-graphql.ts';
import './directory-graphql.ts';
import { createChannelDirectory } from './directory.ts';
import { createChannelAccess } from './access.ts';
import { createChannelModeration } from './moderation.ts';
import { createProductService, type ProductService } from './products.ts';
import { type ChannelService, createChannelService } from './service.ts';

/** Live channels: products and their stock, claims, the highlight, who is watching, moderators and bans. */
export const channelsModule = defineModule({
  name: 'channels',
  topics: topics<ChannelTopics>(),
  services: ({ db, outbox, streams, redis, presence, config }, earlier: { blocks: Blocks; blockLists: BlockLists }) => {
    const access = createChannelAccess(db);
    return {
      channelAccess: access,
      // A row not renewed for two presence lifetimes belongs to instances that all died.
      channelDirectory: createChannelDirectory({
        db,
        outbox,
        streams,
        blocks: earlier.blocks,
        blockLists: earlier.blockLists,
        staleSeconds: config.presence.ttlSeconds * 2,
      }),
      products: createProductService({ db, outbox, streams, access, maxClaimQuantity: config.channels.maxClaimQuantity }),
      channelModeration: createChannelModeration({ db, outbox, access }),
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
    };
  },
  // Every instance that serves records the presence changes it publishes in the directory.
  serving: ({ services, presence, logger }) => services.channelDirectory.follow(presence, logger),
  loaders: {
    channel: (s: { channels: ChannelService }) => byId(s.channels.byIds),
    product: (s: { channels: ChannelService }) => byId(s.channels.productsByIds),
    claim: (s: { products: ProductService }) => byId(s.products.claimsByIds),
    productsByChannel: (s: { channels: ChannelService }) => groupedBy(s.channels.productsByChannelIds, (p) => p.channelId),
  },
});
