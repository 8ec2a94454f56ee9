import { z } from 'zod';

/**
 * The rate-limit settings: their names, defaults and format, and how the
 * multiplier scales them. config.ts reads and validates them with the rest.
 */

/** `points/seconds`, e.g. `30/60` for 30 per minute. */
const rate = (fallback: string) =>
  z
    .string()
    .regex(/^\d+\/\d+$/, 'must be <count>/<seconds>, e.g. 30/60')
    .refine((v) => Number(v.split('/')[1]) > 0, 'the window must be at least 1 second')
    .default(fallback)
    .transform((v) => {
      const [points, seconds] = v.split('/').map(Number) as [number, number];
      return { points, seconds };
    });

/**
 * Every mutation's rate limit, per user (per IP before sign-in), the rate at
 * which a user may start subscriptions, the rate of requests and WebSocket
 * handshakes from one address, and of messages on one WebSocket. Generous for a person, tight for a script;
 * docs/security.md lists them.
 */
export const rateLimitDefaults = {
  requestsPerIp: '1200/60',
  wsMessages: '200/10',
  subscribe: '300/60',
  signUp: '20/3600',
  signIn: '60/300',
  refreshToken: '120/3600',
  signOut: '30/60',
  createSection: '20/3600',
  createPost: '30/60',
  reaction: '120/60',
  refreshLinkMetadata: '30/60',
  createStory: '30/3600',
  viewStory: '300/60',
  createChannel: '10/3600',
  addProduct: '60/60',
} as const;

export type RateLimitName = keyof typeof rateLimitDefaults;

/** The setting that holds a mutation's limit, e.g. `RATE_LIMIT_CREATE_POST`. */
export const rateLimitEnvName = (name: string) => `RATE_LIMIT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** The zod fields of every `RATE_LIMIT_*` setting, for config.ts's schema. */
export const rateLimitSettings = Object.fromEntries(
  Object.entries(rateLimitDefaults).map(([name, fallback]) => [rateLimitEnvName(name), rate(fallback)]),
) as Record<string, ReturnType<typeof rate>>;

/** Every limit after RATE_LIMIT_MULTIPLIER. */
export interface RateLimitSettings {
  /** Already scaled; null when rate limiting is off. */
  mutations: Record<RateLimitName, { points: number; seconds: number }> | null;
  signIn: { freeFailuresPerAccount: number; freeFailuresPerIp: number; maxBackoffSeconds: number } | null;
  multiplier: number;
}

/** A limit scaled by the multiplier, at least 1; the multiplier 0 (off) gives a limit nobody reaches. */
export const scaled = (points: number, multiplier: number) =>
  multiplier === 0 ? Number.MAX_SAFE_INTEGER : Math.max(1, Math.round(points * multiplier));

/** Every limit, scaled, out of the validated settings (`values`, keyed by setting name). */
export function rateLimitsOf(
  values: Record<string, { points: number; seconds: number }>,
  signIn: { multiplier: number; freeFailuresPerAccount: number; freeFailuresPerIp: number; maxBackoffSeconds: number },
): RateLimitSettings {
  const { multiplier } = signIn;
  if (multiplier === 0) return { mutations: null, signIn: null, multiplier };
  const mutations = Object.fromEntries(
    Object.keys(rateLimitDefaults).map((name) => {
      const { points, seconds } = values[rateLimitEnvName(name)]!;
      return [name, { points: scaled(points, multiplier), seconds }];
    }),
  ) as Record<RateLimitName, { points: number; seconds: number }>;
  return {
    mutations,
    signIn: {
      freeFailuresPerAccount: scaled(signIn.freeFailuresPerAccount, multiplier),
      freeFailuresPerIp: scaled(signIn.freeFailuresPerIp, multiplier),
      maxBackoffSeconds: signIn.maxBackoffSeconds,
    },
    multiplier,
  };
}
