import { defineModule } from '../module.ts';
import { parseAllowList } from '../links/fetch/url-policy.ts';
import type { Admins } from '../users/admins.ts';
import { startDeliverer } from './deliverer.ts';
import './graphql.ts';
import { createWebhookPoster } from './post.ts';
import { createEventPull } from './pull.ts';
import { createWebhookService } from './service.ts';

/** Events out to a team's backends: webhooks the admins register, delivered in order per key, at least once. */
export const webhooksModule = defineModule({
  name: 'webhooks',
  services: ({ db, config }, earlier: { admins: Admins }) => ({
    webhooks: createWebhookService({ db, admins: earlier.admins, allow: parseAllowList(config.webhooks.allowHosts) }),
    pullEvents: createEventPull({ db, admins: earlier.admins }),
  }),
  workers: async ({ db, config, logger }) => {
    const poster = createWebhookPoster({ allow: parseAllowList(config.webhooks.allowHosts), timeoutMs: config.webhooks.timeoutMs });
    const deliverer = startDeliverer({
      db,
      poster,
      logger,
      maxAttempts: config.webhooks.maxAttempts,
      maxBackoffSeconds: config.webhooks.maxBackoffSeconds,
      pollMs: config.webhooks.pollMs,
    });
    return {
      stop: async () => {
        await deliverer.stop();
        await poster.close();
      },
    };
  },
});
