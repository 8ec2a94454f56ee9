import { z } from 'zod';
import { int, section } from '../section.ts';

/** Background jobs (pg-boss) and the events kept for resuming. */
export const jobs = section({
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).default(0.5).describe('How often a worker looks for jobs when nothing woke it, in seconds'),
  JOB_SUPERVISE_SECONDS: int(1).default(5).describe('How often pg-boss looks for jobs whose worker died or lost their outcome (a link job silent for 10 s, or expired), to retry them'),
  EVENT_RETENTION_HOURS: z.coerce.number().positive().max(24 * 90).default(24).describe('How long recorded events are kept for resuming subscriptions (older cursors: CURSOR_EXPIRED)'),
});
