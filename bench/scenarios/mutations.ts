import { request } from 'undici';
import { gql } from '../lib/graphql.ts';
import { databaseCpuMeter } from '../lib/processes.ts';
import { round, summary } from '../lib/stats.ts';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The server's CPU time per request, when its process was given: less at the mercy of a busy machine than the rate. */
  cpuMsPerRequest?: number;
  /** The local database's CPU time per request (every postgres process): the writes' cost on the other side of the pool. */
  dbCpuMsPerRequest: number;
}

/** Runs `call` from `concurrency` loops for `seconds`; requests per second and latency (and the server's CPU per request). */
export async function load(call: (i: number) => Promise<unknown>, concurrency: number, seconds: number, server?: { cpuMs(): number }): Promise<LoadResult> {
  const cpuBefore = server?.cpuMs();
  const dbCpuMs = databaseCpuMeter();
  const times: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let counter = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await call(counter++);
        times.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const { p50, p99 } = summary(times);
  const cpu = server && cpuBefore !== undefined ? { cpuMsPerRequest: round((server.cpuMs() - cpuBefore) / times.length, 3) } : {};
  const dbCpuMsPerRequest = round(dbCpuMs() / times.length, 3);
  return { requestsPerSecond: round(times.length / elapsed, 0), p50Ms: p50, p99Ms: p99, ...cpu, dbCpuMsPerRequest };
}

/** The local id inside a Relay global id (`Type:uuid`, base64). */
const localId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;

/**
 * createPost with one link against `{ __typename }` on the same server, and,
 * given a minimal write server (bench/baseline-writes.ts), against the same
 * writes done bare, its statement unnamed and prepared; same concurrency.
 */
export async function runMutations(
  url: string,
  token: string,
  sectionId: string,
  linkBase: string,
  concurrency: number,
  seconds: number,
  minimal?: { port: number; authorId: string; process?: { cpuMs(): number } },
  server?: { cpuMs(): number },
) {
  const trivial = await load(() => gql(url, '{ __typename }'), concurrency, seconds, server);
  const bareAt = (path: string) =>
    minimal
      ? load(
          async (i) => {
            const res = await request(`http://127.0.0.1:${minimal.port}${path}`, {
              method: 'POST',
              body: JSON.stringify({ sectionId: localId(sectionId), authorId: localId(minimal.authorId), content: `bare post ${i}`, url: `${linkBase}?bare${path}=${i}` }),
            });
            if (res.statusCode !== 200) throw new Error(await res.body.text());
            await res.body.dump();
          },
          concurrency,
          seconds,
          minimal.process,
        )
      : undefined;
  const bare = await bareAt('/post');
  const barePrepared = await bareAt('/post-prepared');
  const createPost = await load(
    (i) =>
      gql(
        url,
        'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }',
        { i: { sectionId, content: `bench post ${i}`, links: [`${linkBase}?post=${i}`] } },
        token,
      ),
    concurrency,
    seconds,
    server,
  );
  return {
    concurrency,
    seconds,
    trivial,
    createPost,
    ratio: round(createPost.requestsPerSecond / trivial.requestsPerSecond),
    ...(bare ? { minimal: bare, minimalRatio: round(createPost.requestsPerSecond / bare.requestsPerSecond) } : {}),
    ...(barePrepared ? { minimalPrepared: barePrepared, minimalPreparedRatio: round(createPost.requestsPerSecond / barePrepared.requestsPerSecond) } : {}),
  };
}
