import type { PgBoss } from 'pg-boss';
import type { Logger } from '../logger.ts';
import type { Outbox, TopicMap } from '../realtime/outbox.ts';

export const PRUNE_EVENTS_QUEUE = 'events-prune';

/** Every 10 minutes, one worker on whichever instance deletes events past the retention. */
export async function scheduleEventPruning(boss: PgBoss): Promise<void> {
  await boss.createQueue(PRUNE_EVENTS_QUEUE, { policy: 'singleton', retryLimit: 1 });
  await boss.schedule(PRUNE_EVENTS_QUEUE, '*/10 * * * *');
}

export async function startEventPruner<T extends TopicMap>(
  boss: PgBoss,
  outbox: Outbox<T>,
  retentionHours: number,
  logger: Logger,
): Promise<void> {
  await boss.work(PRUNE_EVENTS_QUEUE, { pollingIntervalSeconds: 30 }, async () => {
    const pruned = await outbox.prune(retentionHours);
    if (pruned > 0) logger.info({ pruned, retentionHours }, 'old events pruned');
  });
}
