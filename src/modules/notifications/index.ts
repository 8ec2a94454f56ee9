import { defineModule, topics } from '../module.ts';
import { byId } from '../../graphql/batch-loaders.ts';
import type { NotificationTopics } from './events.ts';
import './graphql.ts';
import { NOTIFICATION_PRUNE_QUEUE, scheduleNotificationPrune, startNotificationPruneWorker } from './prune-job.ts';
import { createNotificationService, type NotificationService } from './service.ts';

/** The inbox: coalesced notifications of views, reactions and mentions, written with the action that causes them. */
export const notificationsModule = defineModule({
  name: 'notifications',
  topics: topics<NotificationTopics>(),
  services: ({ db, outbox, streams }) => ({ notifications: createNotificationService({ db, outbox, streams }) }),
  loaders: {
    notification: (s: { notifications: NotificationService }, viewerId: string | null) => byId((ids) => s.notifications.byIds(ids, viewerId)),
  },
  queues: (boss) => scheduleNotificationPrune(boss),
  workers: async ({ boss, services, logger, config }) => {
    await startNotificationPruneWorker(boss, services.notifications, config.notifications.retentionDays, logger.child({ module: 'notifications' }));
    return { stop: async () => void (await boss.offWork(NOTIFICATION_PRUNE_QUEUE, { wait: true })) };
  },
});
