import { Agent, request } from 'undici';
import { createSafeLookup } from '../links/fetch/safe-lookup.ts';
import { type AllowList, checkUrl, portOf } from '../links/fetch/url-policy.ts';

export interface PostOutcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * POSTs a JSON body to a webhook's URL the way the link fetcher fetches: the
 * URL checked (scheme, port, IP literal), every connection's addresses
 * public unless the `host[:port]` is allowed, one deadline, no redirect
 * followed (a 3xx is a failure), the response body not read beyond what
 * closes it.
 */
export function createWebhookPoster({ allow, timeoutMs }: { allow: AllowList; timeoutMs: number }) {
  const agentWith = (lookup?: ReturnType<typeof createSafeLookup>) =>
    new Agent({ connect: { ...(lookup ? { lookup } : {}), timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connections: 32 });
  const agent = agentWith(createSafeLookup());
  const allowedAgent = agentWith();

  return {
    async post(url: string, body: string, headers: Record<string, string>): Promise<PostOutcome> {
      const started = Date.now();
      const done = (ok: boolean, status: number | null, error: string | null): PostOutcome => ({ ok, status, error, durationMs: Date.now() - started });
      let target: URL;
      try {
        target = checkUrl(url, allow);
      } catch (err) {
        return done(false, null, (err as Error).message);
      }
      try {
        const res = await request(target, {
          method: 'POST',
          dispatcher: allow.has(target.hostname, portOf(target)) ? allowedAgent : agent,
          signal: AbortSignal.timeout(timeoutMs),
          headers: { 'content-type': 'application/json', 'user-agent': 'Plaza-Webhooks/1', ...headers },
          body,
        });
        await res.body.dump({ limit: 64 * 1024 }).catch(() => {});
        const ok = res.statusCode >= 200 && res.statusCode < 300;
        return done(ok, res.statusCode, ok ? null : `HTTP ${res.statusCode}`);
      } catch (err) {
        return done(false, null, (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message);
      }
    },
    async close(): Promise<void> {
      await Promise.all([agent.close(), allowedAgent.close()]);
    },
  };
}

export type WebhookPoster = ReturnType<typeof createWebhookPoster>;
