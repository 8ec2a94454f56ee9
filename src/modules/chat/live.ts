import { forbidden } from '../../lib/errors.ts';
import type { Logger } from '../../logger.ts';
import { follow } from '../../realtime/follow.ts';
import type { Streams } from '../../realtime/streams.ts';
import type { ChannelTopics } from '../channels/events.ts';
import type { ChatTopics } from './events.ts';

/** The streams a channel ban closes to its user: the chat (keyed by the channel's id). */
export const BANNED_FROM: ReadonlyArray<keyof ChatTopics> = ['channel:chat'];

/**
 * Ends, on this instance, the chat subscriptions of whoever was banned from
 * a channel anywhere in the cluster: their last result is FORBIDDEN, then
 * they complete.
 */
export function followBans(streams: Streams<ChannelTopics & ChatTopics>, logger: Logger) {
  return follow(
    'channel-bans',
    (after) => streams.watch('channel:banned', 'all', after),
    ({ channelId, userId }) => {
      const ended = streams.endFor(channelId, userId, forbidden('You are banned from this channel'), BANNED_FROM);
      if (ended > 0) logger.info({ channelId, userId, ended }, 'subscriptions ended: banned');
    },
    logger,
  );
}
