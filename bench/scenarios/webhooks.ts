import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gql, signUp } from '../lib/graphql.ts';
import type { Started } from '../lib/processes.ts';
import { round, summary } from '../lib/stats.ts';

export interface WebhookResult {
  events: number;
  streams: number;
  /** Events acknowledged by the receiver per second, from the first post to the last acknowledgement. */
  eventsPerSecond: number;
  /** From a post's answer to its delivery. */
  lagP50Ms: number;
  lagP99Ms: number;
}

/** A local receiver answering 204 at once; `events` posts over `streams` sections, 32 at a time, all delivered. */
export async function runWebhookThroughput(
  plaza: Started,
  options: { adminUsername: string; receiverPort: number; events: number; streams: number },
): Promise<WebhookResult> {
  const arrived = new Map<string, number>();
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString()) as { data: { content?: string } };
      if (event.data.content) arrived.set(event.data.content, performance.now());
      res.writeHead(204).end();
      if (arrived.size >= options.events) done();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(options.receiverPort, '127.0.0.1', resolve));
  try {
    const admin = await signUp(plaza.url, 'admin', options.adminUsername);
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await gql(plaza.url, 'mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id } }', { i: { url, topics: ['post:created'] } }, admin.token);
    const author = await signUp(plaza.url, 'author');
    const sections: string[] = [];
    for (let i = 0; i < options.streams; i++) {
      const input = { name: `Hooked ${i}`, slug: `hooked-${Date.now()}-${i}` };
      sections.push((await gql(plaza.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: input }, author.token)).createSection.id);
    }
    const answered = new Map<string, number>();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < options.events) {
          const n = next++;
          const content = `event ${n}`;
          await gql(plaza.url, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId: sections[n % sections.length], content } }, author.token);
          answered.set(content, performance.now());
        }
      }),
    );
    const timeout = setTimeout(() => done(), 120_000);
    await all;
    clearTimeout(timeout);
    if (arrived.size < options.events) throw new Error(`${arrived.size} of ${options.events} delivered within 120 s`);
    const last = Math.max(...arrived.values());
    const lags = [...answered].map(([content, at]) => Math.max(0, arrived.get(content)! - at));
    const { p50, p99 } = summary(lags);
    return {
      events: options.events,
      streams: options.streams,
      eventsPerSecond: round(options.events / ((last - started) / 1000), 0),
      lagP50Ms: p50,
      lagP99Ms: p99,
    };
  } finally {
    await new Promise<void>((resolve) => receiver.close(() => resolve()).closeAllConnections());
  }
}
