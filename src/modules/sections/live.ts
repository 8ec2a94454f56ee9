import { forbidden } from '../../lib/errors.ts';
import type { Logger } from '../../logger.ts';
import { follow } from '../../realtime/follow.ts';
import type { Streams } from '../../realtime/streams.ts';
import type { SectionTopics } from './events.ts';

/**
 * Ends, on this instance, the subscriptions of whoever lost access to a
 * section anywhere in the cluster (removed, or banned from a MEMBERS
 * section): their last result is FORBIDDEN, then they complete. Every
 * section-keyed stream (posts, reactions, link previews) is keyed by the
 * section's id.
 */
export function followAccessLost(streams: Streams<SectionTopics>, logger: Logger) {
  return follow(
    'section-access',
    (after) => streams.watch('section:access-lost', 'all', after),
    ({ sectionId, userId }) => {
      const ended = streams.endFor(sectionId, userId, forbidden('You no longer have access to this section'));
      if (ended > 0) logger.info({ sectionId, userId, ended }, 'subscriptions ended: access lost');
    },
    logger,
  );
}
