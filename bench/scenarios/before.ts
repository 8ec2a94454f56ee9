import { gql, signUp } from '../lib/graphql.ts';
import { checkoutBefore, removeCheckout, type Started, startPlaza } from '../lib/processes.ts';
import { runFanout } from './fanout.ts';
import { runMutations } from './mutations.ts';

export interface BeforeResult {
  ref: string;
  fanout: Awaited<ReturnType<typeof runFanout>>['fanout'];
  memory: Awaited<ReturnType<typeof runFanout>>['memory'];
  /** Absent when only fan-out was asked for (BENCH_ONLY=fanout). */
  mutations?: Awaited<ReturnType<typeof runMutations>>;
}

/**
 * The same fan-out, memory and createPost scenarios against another checkout
 * of Plaza (`BENCH_BEFORE=<git ref>`), in the same run: a before/after that
 * the machine's noise cannot fake. It gets a database of its own.
 */
export async function runBefore(options: {
  ref: string;
  env: Record<string, string>;
  databaseUrl: string;
  baseline: Started;
  sizes: number[];
  changes: number;
  seconds: number;
  linkUrl: string;
  fanoutOnly?: boolean;
}): Promise<BeforeResult> {
  const dir = checkoutBefore(options.ref);
  let before: Started | undefined;
  try {
    before = await startPlaza({ ...options.env, DATABASE_URL: options.databaseUrl, RUN_WORKERS: 'false' }, [], dir);
    const { fanout, memory } = await runFanout(before, options.baseline, options.sizes, options.changes);
    if (options.fanoutOnly) return { ref: options.ref, fanout, memory };
    const author = await signUp(before.url, 'author');
    const section = (await gql(before.url, 'mutation($i: CreateSectionInput!) { createSection(input: $i) { id } }', { i: { name: 'Bench', slug: `bench-${Date.now()}` } }, author.token)).createSection.id;
    const mutations = await runMutations(before.url, author.token, section, options.linkUrl, 32, options.seconds);
    return { ref: options.ref, fanout, memory, mutations };
  } finally {
    await before?.stop();
    removeCheckout(dir);
  }
}
