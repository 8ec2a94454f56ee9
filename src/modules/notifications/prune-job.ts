import type { PgBoss } from 'pg-boss';
import type { Logger } from '../../logger.ts';
import type { NotificationService } from './service.ts';

export const NOTIFICATION_PRUNE_QUEUE = 'notifications-prune';

/** Once an hour one worker, on whichever instance, deletes notifications older than NOTIFICATION_RETENTION_DAYS. */
export async function scheduleNotificationPrune(boss: PgBoss): Promise<void> {
  await boss.createQueue(NOTIFICATION_PRUNE_QUEUE, { policy: 'singleton', retryLimit: 1 });
  await boss.schedule(NOTIFICATION_PRUNE_QUEUE, '17 * * * *');
}

export async function startNotificationPruneWorker(boss: PgBoss, notifications: NotificationService, days: number, logger: Logger): Promise<void> {
  await boss.work(NOTIFICATION_PRUNE_QUEUE, { pollingIntervalSeconds: 60 }, async () => {
    const deleted = await notifications.prune(days);
    if (deleted > 0) logger.info({ deleted }, 'old notifications deleted');
  });
}
