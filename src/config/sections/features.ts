import { z } from 'zod';
import { commaList, int, section, type Settings } from '../section.ts';
import { scaled } from './rate-limits.ts';

const multiplierOf = (settings: Settings) => settings.RATE_LIMIT_MULTIPLIER as number;

/** Stories. */
export const stories = section(
  {
    STORY_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(24).describe('How long a story stays up'),
    STORY_REACTIONS_PER_MINUTE: int(1).default(30).describe('Story reactions one user may send per minute (scaled by RATE_LIMIT_MULTIPLIER)'),
  },
  {
    prefix: 'STORY_',
    derive: (v, settings) => ({ ttlHours: v.ttlHours, reactionsPerMinute: scaled(v.reactionsPerMinute, multiplierOf(settings)) }),
  },
);

/** The inbox. */
export const notifications = section(
  {
    NOTIFICATION_RETENTION_DAYS: int(1).default(90).describe('How long a notification is kept after it last changed, in days'),
  },
  { prefix: 'NOTIFICATION_' },
);

/** Webhooks: events out to a team's backends. */
export const webhooks = section(
  {
    WEBHOOK_MAX_ATTEMPTS: int(1).default(8).describe('Failed attempts at one event after which a webhook is paused (resumeWebhook continues it)'),
    WEBHOOK_TIMEOUT_MS: int(100).default(5_000).describe('How long a receiver has to answer one delivery'),
    WEBHOOK_MAX_BACKOFF_SECONDS: int(1).default(60).describe('Longest wait between two attempts at one event'),
    WEBHOOK_ALLOW_HOSTS: z.string().default('').describe('Comma-separated `host[:port]` a webhook may call even on a private address (intranets, tests)'),
    WEBHOOK_POLL_MS: int(10).default(250).describe('How often the delivering instance looks for events to deliver'),
  },
  { prefix: 'WEBHOOK_', derive: (v) => ({ ...v, allowHosts: commaList(v.allowHosts) }) },
);

/** Live channels. */
export const channels = section(
  {
    CHANNEL_HIGHLIGHT_LIMIT: int(1).default(20).describe('Highlight changes one channel may make per window (scaled by RATE_LIMIT_MULTIPLIER)'),
    CHANNEL_HIGHLIGHT_WINDOW_SECONDS: int(1).default(10).describe('That window, in seconds'),
    MAX_CLAIM_QUANTITY: int(1).default(5).describe('Units of one product one user may hold in claims'),
    CHAT_FRAME_MS: int(0).default(100).describe("How long a busy channel's chat gathers messages into one frame, in ms; a quiet room's message goes out at once"),
  },
  {
    prefix: 'CHANNEL_',
    derive: (v, settings) => ({
      highlightLimit: scaled(v.highlightLimit, multiplierOf(settings)),
      highlightWindowSeconds: v.highlightWindowSeconds,
      maxClaimQuantity: v.maxClaimQuantity,
      chatFrameMs: v.chatFrameMs,
    }),
  },
);

/** Who has a live channel open. */
export const presence = section(
  {
    PRESENCE: z.enum(['on', 'off']).default('on').describe('`off`: no presence is kept or published (viewer counts read 0)'),
    PRESENCE_INTERVAL_MS: int(50).default(1_000).describe('At most one presence update (viewer count, seller live) per channel per this many ms, cluster-wide'),
    PRESENCE_DELIVERIES_PER_SECOND: int(1).default(1_000).describe('A channel with more viewers than this gets presence updates less often, one per (viewers / this) s'),
    PRESENCE_TTL_SECONDS: int(1).default(30).describe('Seconds after which an instance that stopped renewing its viewers (it died) no longer counts them'),
  },
  {
    prefix: 'PRESENCE_',
    derive: ({ presence: onOff, ...rest }) => ({ ...rest, enabled: onOff === 'on' }),
  },
);
