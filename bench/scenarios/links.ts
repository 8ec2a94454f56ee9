import { readdirSync, readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { gql, signUp } from '../lib/graphql.ts';
import { checkoutBefore, removeCheckout, type Started, startPlaza } from '../lib/processes.ts';
import type { startPageServer } from '../lib/page-server.ts';
import { round, summary } from '../lib/stats.ts';

const FIXTURES = new URL('../../../shared/fixtures/link-previews/', import.meta.url);

export function fixturePages(): Map<string, Buffer> {
  const pages = new Map<string, Buffer>();
  for (const entry of readdirSync(FIXTURES, { withFileTypes: true })) {
    if (entry.isDirectory()) pages.set(`/${entry.name}`, readFileSync(new URL(`${entry.name}/input.html`, FIXTURES)));
  }
  return pages;
}

/** Links run through the pipeline after the first, unmeasured, before the measured ones. */
const WARM_UP_LINKS = 5;

/** A graphql-ws subscriber to a section's link updates: resolves READY/FAILED per link URL. */
export async function linkWatcher(url: string, token: string, sectionId: string) {
  const done = new Map<string, (status: string) => void>();
  const early = new Map<string, string>();
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  await new Promise<void>((resolve, reject) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('error', reject);
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription($id: ID!) { linkMetadataUpdated(sectionId: $id) { link { url status } } }', variables: { id: sectionId } } }));
        // graphql-ws has no "subscribed" message: give the server a moment, then start (the first link proves it).
        setTimeout(resolve, 300);
      } else if (message.type === 'next') {
        const { url: linkUrl, status } = message.payload.data.linkMetadataUpdated.link;
        const waiter = done.get(linkUrl);
        if (waiter) waiter(status);
        else early.set(linkUrl, status);
      }
    });
  });
  return {
    until(linkUrl: string): Promise<string> {
      const seen = early.get(linkUrl);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => done.set(linkUrl, resolve));
    },
    close: () => socket.terminate(),
  };
}

/**
 * Pipeline overhead: createPost returning -> READY at a subscriber, minus the
 * page server's own time, one link at a time (the first link after the start
 * on its own, then a few unmeasured, then `rounds` measured); then pages per
 * second over the fixture pages at once.
 */
export async function runLinkPipeline(url: string, token: string, sectionId: string, pages: Awaited<ReturnType<typeof startPageServer>>, names: string[], rounds: number) {
  const watcher = await linkWatcher(url, token, sectionId);
  const run = Date.now();
  /** One link's overhead: createPost returning -> READY at the watcher, minus the page server's time. */
  const one = async (path: string) => {
    const linkUrl = pages.url(path);
    const ready = watcher.until(linkUrl);
    await gql(url, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId, content: 'bench', links: [linkUrl] } }, token);
    const t0 = performance.now();
    const status = await ready;
    const total = performance.now() - t0;
    if (status !== 'READY') throw new Error(`${linkUrl} ended ${status}`);
    return total - (pages.serveMs.get(path) ?? 0);
  };
  // The first links after a start pay for compiling every step once (the queue's statements, the fetcher's first
  // connection, the parser): reported on their own, the steady state measured after them.
  const coldFirstMs = await one(`${names[names.length - 1]}?cold=${run}`);
  for (let i = 0; i < WARM_UP_LINKS; i++) await one(`${names[(names.length - 2 - i) % names.length]}?warm=${run}-${i}`);
  const overheads: number[] = [];
  for (let i = 0; i < rounds; i++) overheads.push(await one(`${names[i % names.length]}?r=${run}-${i}`));
  const urls = names.map((name) => pages.url(`${name}?all=${run}`));
  const all = urls.map((u) => watcher.until(u));
  const t0 = performance.now();
  for (let i = 0; i < urls.length; i += 10) {
    await gql(url, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId, content: 'all', links: urls.slice(i, i + 10) } }, token);
  }
  await Promise.all(all);
  const seconds = (performance.now() - t0) / 1000;
  watcher.close();
  const { p50, p99 } = summary(overheads);
  return { rounds, coldFirstMs: round(coldFirstMs), warmUpLinks: WARM_UP_LINKS, overheadP50Ms: p50, overheadP99Ms: p99, pages: urls.length, pagesPerSecond: round(urls.length / seconds) };
}

/**
 * The pipeline on a fresh instance three times, alternating with the checkout
 * of `before.ref` (in its own database) when given (`BENCH_ONLY=links`).
 */
export async function runLinkRounds(options: {
  env: Record<string, string>;
  nodeArgs: string[];
  pages: Awaited<ReturnType<typeof startPageServer>>;
  names: string[];
  before?: { ref: string; databaseUrl: string };
  /** The processes running, for the caller to stop if this throws. */
  running: Started[];
}) {
  const { env, nodeArgs, pages, names, before, running } = options;
  const dir = before ? checkoutBefore(before.ref) : null;
  const results: Record<'now' | 'before', Array<Awaited<ReturnType<typeof runLinkPipeline>>>> = { now: [], before: [] };
  try {
    for (let round = 0; round < 3; round++) {
      for (const side of dir ? (['now', 'before'] as const) : (['now'] as const)) {
        const target = await startPlaza(side === 'now' ? env : { ...env, DATABASE_URL: before!.databaseUrl }, nodeArgs, side === 'now' ? undefined : dir!);
        running.push(target);
        const author = await signUp(target.url, `links${round}`);
        const section = (await gql(target.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'Links', slug: `links-${Date.now()}` } }, author.token)).createSection.id;
        results[side].push(await runLinkPipeline(target.url, author.token, section, pages, names, 60));
        await target.stop();
        running.pop();
      }
    }
  } finally {
    if (dir) removeCheckout(dir);
  }
  return { ...results, ...(before ? { beforeRef: before.ref } : {}) };
}
