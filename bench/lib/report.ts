import type { BlockingResult } from '../scenarios/blocking.ts';
import type { ChatResult, ClaimsResult } from '../scenarios/chat.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AbuseResult } from '../scenarios/abuse.ts';
import type { BeforeResult } from '../scenarios/before.ts';
import type { ResumeResult } from '../scenarios/resume.ts';
import type { RelayCost } from '../scenarios/relay.ts';
import type { ScaleResult } from '../scenarios/scale.ts';

export interface BenchReport {
  startedAt: string;
  machine: { node: string; cpus: number; memoryGiB: number };
  command: string;
  fanout: Array<{ subscribers: number; plaza: Side; baseline: Side; ratio: number; plazaBytesPerConnection?: number; baselineBytesPerConnection?: number }>;
  memory: { connections: number; plazaBytesPerConnection: number; baselineBytesPerConnection: number; ratio: number };
  /** postCreated fan-out with none and 1% of the subscribers blocking the poster. */
  blocking?: BlockingResult;
  /** channelChat to thousands, against the hand-written framing baseline; highlights beside it. */
  chat?: ChatResult;
  /** Hundreds of buyers claiming one product at once. */
  claims?: ClaimsResult;
  mutations: {
    concurrency: number;
    seconds: number;
    trivial: Load;
    createPost: Load;
    ratio: number;
    /** The same writes from a bare node:http + pg server (bench/baseline-writes.ts). */
    minimal?: Load;
    minimalRatio?: number;
    /** The same bare writes as a named prepared statement. */
    minimalPrepared?: Load;
    minimalPreparedRatio?: number;
  };
  links: { rounds: number; coldFirstMs?: number; warmUpLinks?: number; overheadP50Ms: number; overheadP99Ms: number; pages: number; pagesPerSecond: number };
  instances: { subscribers: number; events: number; eventsPerSecond: number; deliveriesPerSecond: number };
  /** Fan-out with the subscribers on one instance and the changes made on another (Redis between). */
  acrossFanout?: Array<{ subscribers: number; p50Ms: number; p99Ms: number; deliveriesPerSecond: number }>;
  /** Highlight fan-out across processes, instances and a Redis Cluster, fresh servers at each size. */
  scale?: ScaleResult;
  /** The relay's cost beside 1,000 and 1,000,000 stream rows. */
  relay?: { small: RelayCost; large: RelayCost; ratio: { cpu: number; statements: number; queryTime: number } };
  resume?: ResumeResult;
  abuse?: AbuseResult;
  before?: BeforeResult;
}
interface Side {
  p50Ms: number;
  p99Ms: number;
  deliveriesPerSecond: number;
  cpuMicrosPerDelivery?: number;
}
interface Load {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const check = (ok: boolean) => (ok ? 'met' : '**missed**');

export function markdown(r: BenchReport): string {
  const fan5k = r.fanout.find((f) => f.subscribers === 5000);
  const fan10k = r.fanout.find((f) => f.subscribers === 10000);
  const round2 = (x: number) => Math.round(x * 100) / 100;
  return `# Plaza benchmark, ${r.startedAt}

\`${r.command}\` on Node ${r.machine.node}, ${r.machine.cpus} cores, ${r.machine.memoryGiB} GiB. Every ratio is
against a baseline measured in the same run.

## Fan-out: productHighlighted to N graphql-ws subscribers

| subscribers | Plaza p50 ms | Plaza p99 ms | Plaza deliveries/s | baseline p50 ms | baseline p99 ms | baseline deliveries/s | Plaza / baseline | server CPU µs per delivery, Plaza / baseline |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${r.fanout
  .map(
    (f) =>
      `| ${f.subscribers} | ${f.plaza.p50Ms} | ${f.plaza.p99Ms} | ${f.plaza.deliveriesPerSecond} | ${f.baseline.p50Ms} | ${f.baseline.p99Ms} | ${f.baseline.deliveriesPerSecond} | ${f.ratio} | ${cpuPair(f.plaza, f.baseline)} |`,
  )
  .join('\n')}

Target: at least 0.8x the baseline at 5k and 10k subscribers, p50 at most 1.3x the baseline's: ${[fan5k, fan10k]
  .map((f) => (f ? `${f.subscribers}: ${f.ratio}x, p50 ${round2(f.plaza.p50Ms / f.baseline.p50Ms)}x, ${check(f.ratio >= 0.8 && f.plaza.p50Ms <= 1.3 * f.baseline.p50Ms)}` : 'not run'))
  .join('; ')}.

## Memory per idle subscribed connection (${r.memory.connections} connections)

Resident memory each process gained for its idle subscribed connections, read after a full GC.

| Plaza bytes | baseline bytes | Plaza / baseline | target (at most 1.8x) |
| ---: | ---: | ---: | --- |
| ${r.memory.plazaBytesPerConnection} | ${r.memory.baselineBytesPerConnection} | ${r.memory.ratio} | ${check(r.memory.ratio <= 1.8)} |

${r.blocking ? blockingMarkdown(r.blocking) : ''}
${r.chat ? chatMarkdown(r.chat) : ''}
${r.claims ? claimsMarkdown(r.claims) : ''}
## Mutations (concurrency ${r.mutations.concurrency}, ${r.mutations.seconds} s each)

| operation | requests/s | p50 ms | p99 ms |
| --- | ---: | ---: | ---: |
| \`{ __typename }\` | ${r.mutations.trivial.requestsPerSecond} | ${r.mutations.trivial.p50Ms} | ${r.mutations.trivial.p99Ms} |
| \`createPost\` with one link | ${r.mutations.createPost.requestsPerSecond} | ${r.mutations.createPost.p50Ms} | ${r.mutations.createPost.p99Ms} |
${r.mutations.minimal ? `| the same writes, bare node:http + pg, one statement | ${r.mutations.minimal.requestsPerSecond} | ${r.mutations.minimal.p50Ms} | ${r.mutations.minimal.p99Ms} |` : ''}
${r.mutations.minimalPrepared ? `| the same, the statement prepared (named) | ${r.mutations.minimalPrepared.requestsPerSecond} | ${r.mutations.minimalPrepared.p50Ms} | ${r.mutations.minimalPrepared.p99Ms} |` : ''}

createPost / trivial: ${r.mutations.ratio}x (for reference).
${r.mutations.minimalRatio !== undefined ? `createPost / the same writes bare: ${r.mutations.minimalRatio}x (target at least 0.6x: ${check(r.mutations.minimalRatio >= 0.6)}).` : ''}
${r.mutations.minimalPreparedRatio !== undefined ? `createPost / the same writes bare with a prepared statement: ${r.mutations.minimalPreparedRatio}x (for reference).` : ''}

## Link pipeline

createPost returning -> READY at a subscriber, minus the page server's own time, over ${r.links.rounds} links
(after the first link since the start, ${r.links.coldFirstMs ?? '?'} ms, and ${r.links.warmUpLinks ?? 0} unmeasured):
p50 ${r.links.overheadP50Ms} ms (target at most 10 ms: ${check(r.links.overheadP50Ms <= 10)}),
p99 ${r.links.overheadP99Ms} ms (target at most 50 ms: ${check(r.links.overheadP99Ms <= 50)}).
All ${r.links.pages} fixture pages at once: ${r.links.pagesPerSecond} pages/s (target at least 100: ${check(r.links.pagesPerSecond >= 100)}).

## Across instances (Redis)

${r.instances.events} highlight changes on instance A, ${r.instances.subscribers} subscribers on instance B:
${r.instances.eventsPerSecond} events/s (${r.instances.deliveriesPerSecond} deliveries/s).
${r.acrossFanout ? scaleMarkdown(r) : ''}${r.scale ? scaleAcrossMarkdown(r.scale) : ''}${r.relay ? relayMarkdown(r.relay) : ''}${r.resume ? resumeMarkdown(r.resume) : ''}${r.abuse ? abuseMarkdown(r.abuse) : ''}${r.before ? beforeMarkdown(r, r.before) : ''}`;
}

/** The scale curve: one instance against the baseline, two instances, and memory per connection, at each size. */
function scaleMarkdown(r: BenchReport): string {
  const across = new Map((r.acrossFanout ?? []).map((f) => [f.subscribers, f]));
  return `
## Scale curve (chart: fanout-latest.svg)

Memory per idle subscribed connection: one set of connections grown through the sizes on fresh
processes, resident memory read after a full GC at each. The growth over all connections so far
carries what a process grows once (its young generation, enlarged by the burst of connects, and
compiled code), which weighs most at the small sizes; the last columns are what each connection
added since the previous size.

| subscribers | one instance, deliveries/s | across two (Redis), deliveries/s | baseline, deliveries/s | Plaza bytes per connection | baseline bytes per connection | Plaza / baseline | since the previous size: Plaza, baseline, ratio |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${r.fanout
  .map((f, i) => {
    const ratio = (a?: number, b?: number) => (a && b ? Math.round((a / b) * 100) / 100 : '');
    const previous = r.fanout[i - 1];
    const added = (pick: (x: BenchReport['fanout'][number]) => number | undefined) => {
      const now = pick(f);
      const then = previous ? pick(previous) : undefined;
      return now !== undefined && then !== undefined && previous ? Math.round((now * f.subscribers - then * previous.subscribers) / (f.subscribers - previous.subscribers)) : undefined;
    };
    const plazaAdded = added((x) => x.plazaBytesPerConnection);
    const baselineAdded = added((x) => x.baselineBytesPerConnection);
    const since = plazaAdded !== undefined && baselineAdded !== undefined ? `${plazaAdded}, ${baselineAdded}, ${ratio(plazaAdded, baselineAdded)}` : '';
    return `| ${f.subscribers} | ${f.plaza.deliveriesPerSecond} | ${across.get(f.subscribers)?.deliveriesPerSecond ?? ''} | ${f.baseline.deliveriesPerSecond} | ${f.plazaBytesPerConnection ?? ''} | ${f.baselineBytesPerConnection ?? ''} | ${ratio(f.plazaBytesPerConnection, f.baselineBytesPerConnection)} | ${since} |`;
  })
  .join('\n')}
`;
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** The curve across processes, instances and a Redis Cluster, with memory both ways against the baseline. */
export function scaleAcrossMarkdown(s: ScaleResult): string {
  const baseline = s.setups.find((x) => x.name.startsWith('baseline'));
  const rows = s.setups.flatMap((setup) =>
    setup.points.map((p) => {
      const base = baseline?.points.find((b) => b.subscribers === p.subscribers);
      const ratio = (a: number, b?: number) => (b ? Math.round((a / b) * 100) / 100 : '');
      return `| ${setup.name} | ${p.subscribers} | ${p.deliveriesPerSecond} | ${p.p50Ms} | ${p.p99Ms} | ${p.settledBytesPerConnection} | ${ratio(p.settledBytesPerConnection, base?.settledBytesPerConnection)} | ${p.gainedBytesPerConnection} | ${ratio(p.gainedBytesPerConnection, base?.gainedBytesPerConnection)} | ${mb(p.idleBytes)} |`;
    }),
  );
  return `
## Across processes, instances and a Redis Cluster (chart: scale-latest.svg)

Fresh servers at every size; ${s.changes} highlight changes each, timed from the mutation to its arrival at every
subscriber; subscribers held by ${s.loadProcesses} load processes. Memory per connection two ways: after a full GC
of every server process, and as resident memory gained under load without one (what a container's limit sees).

| setup | subscribers | deliveries/s | p50 ms | p99 ms | bytes/conn after GC | vs baseline | bytes/conn gained, no GC | vs baseline | idle MB |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
`;
}

function relayMarkdown(r: NonNullable<BenchReport['relay']>): string {
  const row = (x: RelayCost) => `| ${x.streams} | ${x.activeStreams} | ${x.eventsPerSecond} | ${x.cpuMsPerSecond} | ${x.statementsPerSecond} | ${x.queryMsPerSecond} | ${x.republished} |`;
  return `
## The relay beside idle streams

| stream rows | active | events/s | relay CPU ms/s | statements/s | statement ms/s | published again |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${row(r.small)}
${row(r.large)}

1,000,000 against 1,000: CPU ${r.ratio.cpu}x, statements ${r.ratio.statements}x, statement time ${r.ratio.queryTime}x (target ≤ 1.2x).
`;
}

function resumeMarkdown(x: ResumeResult): string {
  return `
## Resume: ${x.subscribers} subscribers reconnecting at once after missing ${x.missed} events each

Every one holds all ${x.missed} missed events ${x.catchUpMs} ms after the first reconnect (${x.deliveriesPerSecond} replayed deliveries/s).
`;
}

function beforeMarkdown(r: BenchReport, b: BeforeResult): string {
  const rows = r.fanout.map((after) => {
    const was = b.fanout.find((f) => f.subscribers === after.subscribers);
    return `| fan-out ${after.subscribers}, deliveries/s | ${was?.plaza.deliveriesPerSecond ?? '-'} | ${after.plaza.deliveriesPerSecond} | ${was ? Math.round((after.plaza.deliveriesPerSecond / was.plaza.deliveriesPerSecond) * 100) / 100 : '-'} |`;
  });
  const ratio = (now: number, was: number) => Math.round((now / was) * 100) / 100;
  return `
## Before and after, same run (\`BENCH_BEFORE=${b.ref}\`)

| what | before | now | now / before |
| --- | ---: | ---: | ---: |
${rows.join('\n')}
| memory per idle subscribed connection, bytes | ${b.memory.plazaBytesPerConnection} | ${r.memory.plazaBytesPerConnection} | ${ratio(r.memory.plazaBytesPerConnection, b.memory.plazaBytesPerConnection)} |
${
  b.mutations
    ? `| \`createPost\` req/s | ${b.mutations.createPost.requestsPerSecond} | ${r.mutations.createPost.requestsPerSecond} | ${ratio(r.mutations.createPost.requestsPerSecond, b.mutations.createPost.requestsPerSecond)} |
| \`createPost\` p99 ms | ${b.mutations.createPost.p99Ms} | ${r.mutations.createPost.p99Ms} | ${ratio(r.mutations.createPost.p99Ms, b.mutations.createPost.p99Ms)} |`
    : ''
}
`;
}

function abuseMarkdown(a: AbuseResult): string {
  const row = (label: string, p: AbuseResult['quiet']) =>
    `| ${label} | ${p.deliveryP50Ms} | ${p.deliveryP99Ms} | ${p.controlP50Ms} | ${p.controlP99Ms} | ${p.previewP50Ms ?? '–'} | ${p.previewMaxMs ?? '–'} |`;
  return `
## Abuse: every attack at once, default limits, production mode

${a.subscribers} normal subscribers (20 sockets per user) receive ${a.changes} highlight changes on a quiet instance, and a
bystander posts 8 ordinary links; then the same while every attack of the hardening and exhaustion issues runs against
the same instance from one user on one address.

| phase | delivery p50 ms | delivery p99 ms | bystander \`{ me }\` p50 ms | p99 ms | preview p50 ms | preview max ms |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${row('quiet', a.quiet)}
${row('under attack', a.underAttack)}

Delivery p99 under attack / quiet: ${a.p99Ratio}x; an ordinary preview's p50: ${a.previewRatio ?? '–'}x. What the attackers got back:

${Object.entries(a.outcomes)
  .map(([attack, outcomes]) => `- ${attack}: ${Object.entries(outcomes).map(([code, n]) => `${code} ${n}`).join(', ')}`)
  .join('\n')}
`;
}

interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: Array<[number, number]>;
}

/** One line chart: `series` against subscribers, in a box `h` high whose top is at `top`. */
function panel(title: string, unit: string, series: Series[], top: number, w: number, h: number, legendWidth = 0): string {
  const pad = 60;
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const maxX = Math.max(...xs);
  const maxY = Math.max(...series.flatMap((s) => s.points.map(([, y]) => y))) * 1.1;
  // With a legend column (legendWidth), the plot stops short of it and the labels stand beside it, not over it.
  const right = w - pad - legendWidth;
  const x = (v: number) => pad + (v / maxX) * (right - pad);
  const y = (v: number) => top + h - pad - (v / maxY) * (h - 2 * pad);
  const lines = series
    .map(
      (s, i) =>
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5,3"' : ''} points="${s.points.map(([a, b]) => `${x(a)},${y(b)}`).join(' ')}"/>` +
        s.points.map(([a, b]) => `<circle cx="${x(a)}" cy="${y(b)}" r="3" fill="${s.color}"/>`).join('') +
        `<text x="${legendWidth > 0 ? right + 20 : w - pad - 150}" y="${top + pad + i * 18}" fill="${s.color}" font-size="13">${s.label}</text>`,
    )
    .join('\n');
  const ticks = [...new Set(xs)].map((v) => `<text x="${x(v)}" y="${top + h - pad + 18}" font-size="11" text-anchor="middle">${v}</text>`).join('');
  const yTicks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<text x="${pad - 6}" y="${y(maxY * f) + 4}" font-size="11" text-anchor="end">${Math.round(maxY * f)}</text>`)
    .join('');
  return `<text x="${w / 2}" y="${top + 24}" font-size="15" text-anchor="middle">${title}</text>
<text x="14" y="${top + h / 2}" font-size="12" transform="rotate(-90 14 ${top + h / 2})" text-anchor="middle">${unit}</text>
<line x1="${pad}" y1="${top + h - pad}" x2="${right}" y2="${top + h - pad}" stroke="#444"/>
<line x1="${pad}" y1="${top + pad}" x2="${pad}" y2="${top + h - pad}" stroke="#444"/>
${ticks}${yTicks}
<text x="${(pad + right) / 2}" y="${top + h - 16}" font-size="12" text-anchor="middle">graphql-ws subscribers</text>
${lines}`;
}

/** The scale curve as two charts: deliveries per second, and memory per idle connection, against subscribers. */
export function fanoutSvg(r: BenchReport): string {
  const w = 640;
  const h = 360;
  const fanout: Series[] = [
    { label: 'baseline (hand-written)', color: '#999', points: r.fanout.map((f) => [f.subscribers, f.baseline.deliveriesPerSecond]) },
    { label: 'Plaza', color: '#c0392b', points: r.fanout.map((f) => [f.subscribers, f.plaza.deliveriesPerSecond]) },
  ];
  if (r.acrossFanout) {
    fanout.push({ label: 'Plaza, across 2 instances', color: '#2471a3', dashed: true, points: r.acrossFanout.map((f) => [f.subscribers, f.deliveriesPerSecond]) });
  }
  const measured = r.fanout.filter((f) => f.plazaBytesPerConnection !== undefined && f.baselineBytesPerConnection !== undefined);
  const memory: Series[] = [
    { label: 'baseline (hand-written)', color: '#999', points: measured.map((f) => [f.subscribers, f.baselineBytesPerConnection!]) },
    { label: 'Plaza', color: '#c0392b', points: measured.map((f) => [f.subscribers, f.plazaBytesPerConnection!]) },
  ];
  const both = measured.length > 0;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${both ? 2 * h : h}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${panel(`Fan-out: deliveries per second (${r.startedAt})`, 'deliveries/s', fanout, 0, w, h)}
${both ? panel('Memory per idle subscribed connection (RSS after GC)', 'bytes', memory, h, w, h) : ''}
</svg>
`;
}

const COLORS = ['#999', '#c0392b', '#e67e22', '#2471a3', '#27ae60'];

/** Deliveries per second and memory per connection against subscribers, one line per setup. */
export function scaleSvg(s: ScaleResult): string {
  const w = 900;
  const h = 380;
  const series = (pick: (p: ScaleResult['setups'][number]['points'][number]) => number): Series[] =>
    s.setups.map((setup, i) => ({ label: setup.name, color: COLORS[i % COLORS.length]!, dashed: setup.name.startsWith('baseline'), points: setup.points.map((p) => [p.subscribers, pick(p)]) }));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${3 * h}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${panel('Fan-out across processes and instances', 'deliveries/s', series((p) => p.deliveriesPerSecond), 0, w, h, 240)}
${panel('Memory per connection after a full GC', 'bytes', series((p) => p.settledBytesPerConnection), h, w, h, 240)}
${panel('Memory per connection gained under load, no GC', 'bytes', series((p) => p.gainedBytesPerConnection), 2 * h, w, h, 240)}
</svg>
`;
}

/** The scale chart alone (BENCH_ONLY=scale): bench/results/scale-latest.svg. */
export function writeScaleChart(s: ScaleResult): void {
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('scale-latest.svg', dir), scaleSvg(s));
}

export function writeReport(r: BenchReport): string {
  if (r.scale) writeScaleChart(r.scale);
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const stamp = r.startedAt.replace(/[:.]/g, '-');
  for (const [name, body] of [
    [`${stamp}.json`, `${JSON.stringify(r, null, 2)}\n`],
    [`${stamp}.md`, markdown(r)],
    [`fanout-${stamp}.svg`, fanoutSvg(r)],
    ['latest.json', `${JSON.stringify(r, null, 2)}\n`],
    ['latest.md', markdown(r)],
    ['fanout-latest.svg', fanoutSvg(r)],
  ] as const) {
    writeFileSync(new URL(name, dir), body);
  }
  return new URL(`${stamp}.md`, dir).pathname;
}

/** Both sides' CPU per delivery and their ratio, where both were read. */
function cpuPair(plaza: Side, baseline: Side): string {
  if (plaza.cpuMicrosPerDelivery === undefined || baseline.cpuMicrosPerDelivery === undefined) return '';
  return `${plaza.cpuMicrosPerDelivery} / ${baseline.cpuMicrosPerDelivery} (${Math.round((plaza.cpuMicrosPerDelivery / baseline.cpuMicrosPerDelivery) * 100) / 100}x)`;
}

export function blockingMarkdown(b: BlockingResult): string {
  return `## Blocking: postCreated to ${b.subscribers} subscribers, each a user of their own

Time from createPost to its delivery at every subscriber it is for, over ${b.posts} posts per side, the sides taking turns
(none, ${Math.round(b.blockingShare * 100)}%, ${Math.round(b.blockingShare * 100)}%, none); with blocks, the ${Math.round(b.blockingShare * 100)}% who block the poster get nothing.

| | receivers | p50 ms | p99 ms | server CPU µs per delivery |
| --- | ---: | ---: | ---: | ---: |
| none blocking | ${b.none.receivers} | ${b.none.p50Ms} | ${b.none.p99Ms} | ${b.none.cpuMicrosPerDelivery} |
| ${Math.round(b.blockingShare * 100)}% blocking the poster | ${b.blocking.receivers} | ${b.blocking.p50Ms} | ${b.blocking.p99Ms} | ${b.blocking.cpuMicrosPerDelivery} |

p50 with blocks / without: ${b.p50Ratio}x (target at most 1.1x: ${check(b.p50Ratio <= 1.1)}); CPU per delivery: ${b.cpuRatio}x.
`;
}

export function chatMarkdown(c: ChatResult): string {
  const row = (name: string, side: ChatResult['plaza']) =>
    `| ${name} | ${side.messages} | ${side.p50Ms} | ${side.p99Ms} | ${side.cpuMicrosPerDelivery} | ${side.complete ? 'yes' : '**no**'} |`;
  return `## Chat: ${c.viewers} viewers on channelChat, ${c.senders} senders at ${c.messagesPerSecond} messages/s for ${c.seconds} s

Latency from sendChatMessage's answer to arrival at sampled viewers; CPU of the server process per message delivered to
one viewer. The baseline (bench/baseline-chat-server.ts) frames the same way with no GraphQL, database or pub/sub.

| server | messages | p50 ms | p99 ms | CPU µs per delivered message | every viewer, every message, once, one order |
| --- | ---: | ---: | ---: | ---: | --- |
${row('Plaza', c.plaza)}
${row('baseline', c.baseline)}

CPU Plaza / baseline: ${c.cpuRatio}x (target at most 1.5x: ${check(c.cpuRatio <= 1.5)}); message p99 ${c.plaza.p99Ms} ms (target at most 1,000: ${check(c.plaza.p99Ms <= 1000)}).

Highlights to ${c.highlights.viewers} sockets, ${c.highlights.changes} changes each way: alone p50 ${c.highlights.aloneP50Ms} / p99 ${c.highlights.aloneP99Ms} ms,
while the chat runs p50 ${c.highlights.withChatP50Ms} / p99 ${c.highlights.withChatP99Ms} ms: p99 ${c.highlights.p99Ratio}x (target at most 1.2x: ${check(c.highlights.p99Ratio <= 1.2)}), p50 ${c.highlights.p50Ratio}x.
The control, the same chat on the baseline server while Plaza only highlights: p50 ${c.highlights.besideBaselineChatP50Ms ?? '–'} / p99 ${c.highlights.besideBaselineChatP99Ms ?? '–'} ms,
p99 ${c.highlights.controlP99Ratio ?? '–'}x of alone (what the machine adds, whatever Plaza does).
`;
}

export function claimsMarkdown(c: ClaimsResult): string {
  return `## Claims: ${c.buyers} buyers at once for ${c.stock} units, ${c.rounds} rounds

| claims/s | p50 ms | p99 ms | units oversold | SOLD_OUT answers |
| ---: | ---: | ---: | ---: | ---: |
| ${c.claimsPerSecond} | ${c.p50Ms} | ${c.p99Ms} | ${c.oversold} (must be 0: ${check(c.oversold === 0)}) | ${c.soldOutAnswers} |
`;
}
