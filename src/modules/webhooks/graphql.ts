import { builder, signedIn } from '../../graphql/builder.ts';
import { costOf } from '../../graphql/cost.ts';
import { localId } from '../../graphql/ids.ts';
import { forwardPage, toConnection } from '../../graphql/pagination.ts';
import { perViewer } from '../../graphql/plugins/shared-results.ts';
import { rateLimited } from '../../graphql/rate-limited-fields.ts';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { WEBHOOK_TOPICS } from './service.ts';
import type { WebhookDeliveryRow, WebhookRow } from './tables.ts';

const PAGE = { defaultSize: 20, maxSize: 100 };

const WebhookStatusEnum = builder.enumType('WebhookStatus', { values: ['ACTIVE', 'PAUSED'] as const });
const DeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', { values: ['DELIVERED', 'FAILED'] as const });

/** A webhook as it is answered: its secret only in createWebhook's answer. */
type WebhookObject = WebhookRow & { showSecret?: boolean };

const WebhookRef = builder.objectRef<WebhookObject>('Webhook').implement({
  description: `An endpoint POSTed every committed event of its topics, in order per key (topics: ${WEBHOOK_TOPICS.join(', ')}). Admins only.`,
  fields: (t) => ({
    id: t.id({ resolve: (w) => encodeGlobalID('Webhook', w.id) }),
    url: t.exposeString('url'),
    topics: t.exposeStringList('topics'),
    description: t.exposeString('description', { nullable: true }),
    status: t.field({ type: WebhookStatusEnum, resolve: (w) => w.status }),
    pausedReason: t.exposeString('pausedReason', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    secret: t.string({
      nullable: true,
      description: 'The key of `Plaza-Signature` (HMAC-SHA256, hex): in createWebhook’s answer only, null ever after.',
      resolve: (w) => (w.showSecret ? w.secret : null),
    }),
  }),
});

const DeliveryRef = builder.objectRef<WebhookDeliveryRow>('WebhookDelivery').implement({
  fields: (t) => ({
    topic: t.exposeString('topic'),
    key: t.exposeString('key'),
    seq: t.float({ resolve: (d) => d.seq }),
    status: t.field({ type: DeliveryStatusEnum, resolve: (d) => d.status }),
    attempt: t.exposeInt('attempt'),
    responseStatus: t.exposeInt('responseStatus', { nullable: true }),
    error: t.exposeString('error', { nullable: true }),
    durationMs: t.exposeInt('durationMs'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const CreateWebhookInput = builder.inputType('CreateWebhookInput', {
  fields: (t) => ({
    url: t.string({ required: true, description: 'http(s); a private address only when WEBHOOK_ALLOW_HOSTS allows it.' }),
    topics: t.stringList({ required: true }),
    description: t.string(),
  }),
});

builder.queryFields((t) => ({
  webhooks: t.field({
    type: [WebhookRef],
    description: 'Admins only (FORBIDDEN for anyone else).',
    ...signedIn,
    ...perViewer,
    ...costOf({ size: 50 }),
    resolve: (_root, _args, ctx) => ctx.services.webhooks.list(ctx.viewer!.id),
  }),
  webhookDeliveries: t.connection(
    {
      type: DeliveryRef,
      description: "A webhook's attempts, newest first. Admins only.",
      ...signedIn,
      ...perViewer,
      ...costOf({ pageMax: PAGE.maxSize }),
      args: { webhookId: t.arg.id({ required: true }) },
      resolve: async (_root, args, ctx) => {
        const { first, after } = forwardPage(args, PAGE);
        const rows = await ctx.services.webhooks.deliveries(ctx.viewer!.id, localId(String(args.webhookId), 'Webhook'), first, after);
        return toConnection(rows.slice(0, first), { hasNextPage: rows.length > first, after }, (d) => ({ createdAt: d.createdAt, id: d.id }));
      },
    },
    { name: 'WebhookDeliveryConnection' },
    { name: 'WebhookDeliveryEdge' },
  ),
}));

builder.mutationFields((t) => ({
  createWebhook: t.field({
    type: WebhookRef,
    description: 'Admins only. Events committed from now on are delivered. The answer holds the signing secret, once.',
    ...signedIn,
    ...rateLimited('webhooks'),
    args: { input: t.arg({ type: CreateWebhookInput, required: true }) },
    resolve: async (_root, { input }, ctx) => ({ ...(await ctx.services.webhooks.create(ctx.viewer!.id, input)), showSecret: true }),
  }),
  deleteWebhook: t.field({
    type: 'ID',
    ...signedIn,
    ...rateLimited('webhooks'),
    args: { webhookId: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) =>
      encodeGlobalID('Webhook', await ctx.services.webhooks.delete(ctx.viewer!.id, localId(String(args.webhookId), 'Webhook'))),
  }),
  resumeWebhook: t.field({
    type: WebhookRef,
    description: 'A paused webhook continues from where it stopped: nothing skipped.',
    ...signedIn,
    ...rateLimited('webhooks'),
    args: { webhookId: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => ctx.services.webhooks.resume(ctx.viewer!.id, localId(String(args.webhookId), 'Webhook')),
  }),
}));
