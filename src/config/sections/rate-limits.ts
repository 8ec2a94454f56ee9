import { z } from 'zod';
import { int, section } from '../section.ts';

/** `points/seconds`, e.g. `30/60` for 30 per minute. */
const rate = (fallback: string, description: string) =>
  z
    .string()
    .regex(/^\d+\/\d+$/, 'must be <count>/<seconds>, e.g. 30/60')
    .refine((v) => Number(v.split('/')[1]) > 0, 'the window must be at least 1 second')
    .default(fallback)
    .transform((v) => {
      const [points, seconds] = v.split('/').map(Number) as [number, number];
      return { points, seconds };
    })
    .describe(description);

/**
 * Every mutation's rate limit, per user (per address before sign-in), the
 * rate at which a user may start subscriptions, the rate of requests and
 * WebSocket handshakes from one address, and of messages on one WebSocket.
 * Generous for a person, tight for a script; docs/security.md lists them.
 */
export const rateLimitDefaults = {
  requestsPerIp: ['1200/60', 'Every /graphql request and WebSocket handshake from one address, per instance, before any parsing (429)'],
  wsMessages: ['200/10', 'Messages on one WebSocket: closed with 4429'],
  subscribe: ['300/60', 'Subscriptions a user starts, any transport'],
  signUp: ['20/3600', '`signUp`, per address'],
  signIn: ['60/300', '`signIn`, per address'],
  refreshToken: ['120/3600', '`refreshToken`, per address'],
  signOut: ['30/60', '`signOut` and `signOutEverywhere`'],
  createSection: ['20/3600', '`createSection`'],
  createPost: ['30/60', '`createPost`'],
  reaction: ['120/60', '`addReaction` and `removeReaction` together'],
  editPost: ['30/60', '`updatePost`, `deletePost` and `deleteStory` together'],
  sectionRoles: ['60/60', 'Adding and removing moderators and members, banning and unbanning, together'],
  blockUser: ['30/60', '`blockUser` and `unblockUser` together'],
  reportPost: ['20/3600', '`reportPost`'],
  resolveReport: ['120/60', '`resolveReport`'],
  refreshLinkMetadata: ['30/60', '`refreshLinkMetadata`'],
  createStory: ['30/3600', '`createStory`'],
  viewStory: ['300/60', '`viewStory`'],
  createChannel: ['10/3600', '`createChannel`'],
  addProduct: ['60/60', '`addProduct`'],
  updateProduct: ['120/60', '`updateProduct` and `removeProduct` together'],
  claimProduct: ['30/60', '`claimProduct`'],
  chatMessage: ['20/10', '`sendChatMessage` (slow mode is per channel, on top)'],
  markNotificationsRead: ['120/60', '`markNotificationsRead`'],
  search: ['60/60', '`search` (each costs a ranked full-text statement)'],
  webhooks: ['60/60', '`createWebhook`, `deleteWebhook` and `resumeWebhook` together'],
  chatModeration: ['120/60', 'Deleting, pinning and unpinning chat messages, slow mode, channel moderators, bans and unbans, together'],
} as const satisfies Record<string, readonly [string, string]>;

export type RateLimitName = keyof typeof rateLimitDefaults;

/** The setting that holds a mutation's limit, e.g. `RATE_LIMIT_CREATE_POST`. */
export const rateLimitEnvName = (name: string) => `RATE_LIMIT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** A limit scaled by the multiplier, at least 1; the multiplier 0 (off) gives a limit nobody reaches. */
export const scaled = (points: number, multiplier: number) =>
  multiplier === 0 ? Number.MAX_SAFE_INTEGER : Math.max(1, Math.round(points * multiplier));

type Limit = { points: number; seconds: number };

/** Rate limits and sign-in back-off, shared by every instance through Redis. */
export const rateLimits = section(
  {
    ...(Object.fromEntries(
      Object.entries(rateLimitDefaults).map(([name, [fallback, description]]) => [rateLimitEnvName(name), rate(fallback, description)]),
    ) as Record<string, ReturnType<typeof rate>>),
    RATE_LIMIT_MULTIPLIER: z.coerce.number().min(0).default(1).describe('Scales every rate limit; 0 turns rate limiting off (load tests only)'),
    SIGN_IN_FREE_FAILURES_PER_ACCOUNT: int(1).default(5).describe('Failed sign-ins for one account before exponential back-off'),
    SIGN_IN_FREE_FAILURES_PER_IP: int(1).default(20).describe('Failed sign-ins from one address (an IPv6 /64) before exponential back-off'),
    SIGN_IN_MAX_BACKOFF_SECONDS: int(1).default(900).describe('Longest sign-in back-off in seconds'),
  },
  {
    derive: (_values, settings) => {
      const multiplier = settings.RATE_LIMIT_MULTIPLIER as number;
      if (multiplier === 0) return { mutations: null, signIn: null, multiplier };
      const mutations = Object.fromEntries(
        Object.keys(rateLimitDefaults).map((name) => {
          const { points, seconds } = settings[rateLimitEnvName(name)] as Limit;
          return [name, { points: scaled(points, multiplier), seconds }];
        }),
      ) as Record<RateLimitName, Limit>;
      return {
        /** Already scaled; null when rate limiting is off. */
        mutations: mutations as Record<RateLimitName, Limit> | null,
        signIn: {
          freeFailuresPerAccount: scaled(settings.SIGN_IN_FREE_FAILURES_PER_ACCOUNT as number, multiplier),
          freeFailuresPerIp: scaled(settings.SIGN_IN_FREE_FAILURES_PER_IP as number, multiplier),
          maxBackoffSeconds: settings.SIGN_IN_MAX_BACKOFF_SECONDS as number,
        } as { freeFailuresPerAccount: number; freeFailuresPerIp: number; maxBackoffSeconds: number } | null,
        multiplier,
      };
    },
  },
);

export type RateLimitSettings = ReturnType<typeof rateLimits.read>;
