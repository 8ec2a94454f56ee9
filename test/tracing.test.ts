import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createSection, ok, signUp } from './helpers/http.ts';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './helpers/otlp.ts';
import { type PlazaProcess, startPlazaProcess } from './helpers/process.ts';
import { subscribeWs, wsClient } from './helpers/subscriptions.ts';
import { FakeWeb, html } from './helpers/web.ts';

const CREATE_POST = 'mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { id links { id } } }';
const UPDATES = 'subscription Previews($id: ID!) { linkMetadataUpdated(sectionId: $id) { linkId link { status metadata { title } } } }';

/** The spans of one trace, each with its parent found (or none: the root). */
function ancestry(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  for (let at: ReceivedSpan | undefined = span; at; at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined) chain.unshift(at);
  return chain;
}

/**
 * OpenTelemetry tracing, end to end: two Plaza processes (as `npm start` runs them) sharing PostgreSQL and
 * Redis, each exporting to a local OTLP receiver. One post with one link, created on A, is followed through
 * to the READY preview delivered to a subscriber on B, in one trace.
 */
describe.skipIf(inject('redisUrl') === null)('tracing (OpenTelemetry, OTLP/HTTP)', () => {
  let receiver: OtlpReceiver;
  const web = new FakeWeb();
  let a: PlazaProcess;
  let b: PlazaProcess;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    await web.start();
    web.routes.set('/article', html('<html><head><title>Traced article</title><meta property="og:title" content="Traced article"></head><body><p>Text.</p></body></html>'));
    const shared = {
      REDIS_URL: inject('redisUrl')!,
      LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    // A makes the link's first attempt (it committed the post); B runs no workers: its part is the delivery.
    [a, b] = await Promise.all([
      startPlazaProcess({ ...shared, OTEL_SERVICE_NAME: 'plaza-a' }),
      startPlazaProcess({ ...shared, OTEL_SERVICE_NAME: 'plaza-b', RUN_WORKERS: 'false' }),
    ]);
  }, 60_000);

  afterAll(async () => {
    a?.child.kill('SIGKILL');
    b?.child.kill('SIGKILL');
    await web.stop();
    await receiver?.close();
  });

  it('follows createPost with a link on A through its job, fetch, extraction and final write to the READY delivered on B, one trace in causal order', async () => {
    const user = await signUp(a, 'tracer');
    const section = await createSection(a, user);
    const { client } = wsClient(b, user.token);
    const updates = subscribeWs(client, UPDATES, { id: section.id });
    // Subscribed once a first post's preview comes through on B.
    const created = await ok<{ createPost: { id: string; links: Array<{ id: string }> } }>(
      a,
      CREATE_POST,
      { input: { sectionId: section.id, content: 'read this', links: [web.url('/article')] } },
      user.token,
    );
    const linkId = created.createPost.links[0]!.id;
    const [update] = await updates.waitFor(1, 20_000);
    expect(update.linkMetadataUpdated).toMatchObject({ linkId, link: { status: 'READY', metadata: { title: 'Traced article' } } });

    const deliveredOnB = (spans: ReceivedSpan[]) => spans.find((s) => s.service === 'plaza-b' && s.name === 'deliver link:updated');
    await receiver.waitFor((spans) => deliveredOnB(spans) !== undefined);
    const delivery = deliveredOnB(receiver.spans)!;
    const trace = receiver.spans.filter((s) => s.traceId === delivery.traceId);
    const chain = ancestry(trace, delivery);
    // From the root (the mutation on A) down to B's delivery, every parent received: nothing cut the trace.
    expect(chain.map((s) => `${s.service}:${s.name}`)).toEqual([
      'plaza-a:mutation.CreatePost',
      'plaza-a:link.job',
      'plaza-a:link.finish',
      'plaza-b:deliver link:updated',
    ]);
    expect(chain[0]!.parentSpanId).toBe('');
    expect(delivery.attributes['plaza.subscribers']).toBe(1);
    const job = chain[1]!;
    expect(job.attributes['plaza.link.id']).toBe(Buffer.from(linkId, 'base64').toString('utf8').split(':')[1]);

    // The job's own steps are in the same trace, under it, in causal order: claim, fetch, extraction, write.
    const under = (name: string, url?: string) => trace.find((s) => s.name === name && (!url || s.attributes['url.full'] === url) && ancestry(trace, s).includes(job));
    // The page's fetch (the icon's comes after the extraction).
    const steps = [under('link.claim'), under('GET', web.url('/article')), under('link.extract'), under('link.finish')];
    expect(steps.every(Boolean)).toBe(true);
    const [claim, fetch, extract, finish] = steps as [ReceivedSpan, ReceivedSpan, ReceivedSpan, ReceivedSpan];
    expect(fetch.kind).toBe(3); // CLIENT
    expect(fetch.attributes).toMatchObject({ 'http.response.status_code': 200, 'url.full': web.url('/article') });
    // Start times are taken to the millisecond, end times finer: "before" allows the millisecond.
    const before = (x: bigint, y: bigint) => x <= y + 1_000_000n;
    const times = JSON.stringify([claim, fetch, extract, finish].map((s) => [s.name, String(s.start), String(s.end)]));
    expect([before(claim.start, fetch.start), before(fetch.end, extract.start), before(extract.end, finish.start)], times).toEqual([true, true, true]);
    // The write publishes the event (a Redis PUBLISH inside it) before B delivers it.
    const statement = (s: ReceivedSpan) => String(s.attributes['db.statement'] ?? s.attributes['db.query.text'] ?? '');
    const publish = trace.find((s) => statement(s).startsWith('publish link:updated') && ancestry(trace, s).includes(finish));
    expect(publish).toBeDefined();
    expect([before(chain[0]!.start, job.start), before(finish.start, publish!.start), before(publish!.start, delivery.start)]).toEqual([true, true, true]);

    // PostgreSQL statements and Redis commands have their spans inside the work that ran them.
    const mutation = chain[0]!;
    const inside = (root: ReceivedSpan, system: string) => trace.filter((s) => s.attributes['db.system.name'] === system || s.attributes['db.system'] === system).filter((s) => ancestry(trace, s)[0] === root);
    expect(inside(mutation, 'postgresql').length).toBeGreaterThan(0);
    expect(inside(mutation, 'redis').some((s) => statement(s).startsWith('publish post:created'))).toBe(true);
    // A Redis command's span names the command and its key, never the values (the event's payload).
    expect(trace.every((s) => !statement(s).includes('Traced article'))).toBe(true);

    // The logs name the trace: A's line about the preview carries its trace id.
    const ready = a.logs.find((line) => line.msg === 'preview ready' && line.linkId === job.attributes['plaza.link.id']);
    expect(ready?.trace_id).toBe(delivery.traceId);
    updates.dispose();
    await client.dispose();
  }, 60_000);

  it('carries the trace in the link job: a post on B (no workers) has its job taken from the queue by A, in the same trace', async () => {
    web.routes.set('/queued', html('<html><head><meta property="og:title" content="Queued"></head></html>'));
    const user = await signUp(b, 'queued');
    const section = await createSection(b, user);
    const created = await ok<{ createPost: { links: Array<{ id: string }> } }>(
      b,
      CREATE_POST,
      { input: { sectionId: section.id, content: 'via the queue', links: [web.url('/queued')] } },
      user.token,
    );
    const linkId = Buffer.from(created.createPost.links[0]!.id, 'base64').toString('utf8').split(':')[1];
    const jobOf = (spans: ReceivedSpan[]) => spans.find((s) => s.service === 'plaza-a' && s.name === 'link.job' && s.attributes['plaza.link.id'] === linkId);
    await receiver.waitFor((spans) => {
      const job = jobOf(spans);
      return job !== undefined && spans.some((s) => s.parentSpanId === job.spanId && s.name === 'link.finish');
    });
    const job = jobOf(receiver.spans)!;
    const chain = ancestry(receiver.spans.filter((s) => s.traceId === job.traceId), job);
    expect(chain.map((s) => `${s.service}:${s.name}`)).toEqual(['plaza-b:mutation.CreatePost', 'plaza-a:link.job']);
    expect(job.attributes['plaza.job.first_attempt']).toBe(false);
  }, 30_000);

  it("continues a caller's W3C traceparent, on the plain JSON path and through Yoga, and follows its sampling decision", async () => {
    const traceId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const callerSpan = '1234567890abcdef';
    const send = (operation: string, flags: string, viaYoga = false) => {
      const query = operation === 'WithLiteral' ? 'query WithLiteral { __type(name: "Post") { name } }' : `query ${operation} { __typename }`;
      const traceparent = `00-${traceId}-${callerSpan}-${flags}`;
      // Asking for multipart answers takes Yoga's path; plain JSON, the fast one.
      const accept = viaYoga ? 'multipart/mixed' : 'application/json';
      return fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/json', accept, traceparent }, body: JSON.stringify({ query }) });
    };
    // Unsampled by the caller: not recorded (the default sampler follows the parent); sent first, so exported first if it were.
    expect((await send('NotSampled', '00')).status).toBe(200);
    expect((await send('Followed', '01')).status).toBe(200);
    expect((await send('FollowedViaYoga', '01', true)).status).toBe(200);
    await receiver.waitFor((spans) => ['query.Followed', 'query.FollowedViaYoga'].every((name) => spans.some((s) => s.name === name)));
    for (const name of ['query.Followed', 'query.FollowedViaYoga']) {
      const span = receiver.spans.find((s) => s.name === name)!;
      expect({ traceId: span.traceId, parent: span.parentSpanId, service: span.service }).toEqual({ traceId, parent: callerSpan, service: 'plaza-a' });
    }
    expect(receiver.spans.some((s) => s.name === 'query.NotSampled')).toBe(false);
    // The document is carried when it holds no literal value (those may be secrets); decided once per document.
    expect(receiver.spans.find((s) => s.name === 'query.Followed')!.attributes['graphql.execute.document']).toContain('query Followed');
    for (let i = 0; i < 2; i++) expect((await send('WithLiteral', '01')).status).toBe(200);
    await receiver.waitFor((spans) => spans.filter((s) => s.name === 'query.WithLiteral').length === 2);
    const literal = receiver.spans.filter((s) => s.name === 'query.WithLiteral');
    expect(literal.map((s) => s.attributes['graphql.execute.document'])).toEqual([undefined, undefined]);
    // A malformed header is no parent: the operation starts a trace of its own, and is answered as ever.
    const garbled = await fetch(a.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', traceparent: `00-${'z'.repeat(32)}-${callerSpan}-01` },
      body: JSON.stringify({ query: 'query Garbled { __typename }' }),
    });
    expect(garbled.status).toBe(200);
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'query.Garbled'));
    const own = receiver.spans.find((s) => s.name === 'query.Garbled')!;
    expect(own.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect([own.traceId === traceId, own.parentSpanId || '']).toEqual([false, '']);
    // A preflight from a page lets it send the header.
    const preflight = await fetch(a.url, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'traceparent' } });
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('traceparent');
  }, 30_000);
});

describe('tracing over OTLP/protobuf, and off', () => {
  it('sends protobuf when OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (the default); with no endpoint nothing is sent', async () => {
    const receiver = await startOtlpReceiver();
    const [traced, untraced] = await Promise.all([
      startPlazaProcess({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_SERVICE_NAME: 'plaza-protobuf' }),
      startPlazaProcess({ OTEL_BSP_SCHEDULE_DELAY: '100' }),
    ]);
    try {
      await ok(untraced, 'query Untraced { __typename }');
      await ok(traced, 'query Traced { __typename }');
      await receiver.waitFor(() => receiver.protobuf.some((p) => p.body.includes('query.Traced')));
      const bodies = receiver.protobuf;
      expect(bodies.every((p) => p.contentType === 'application/x-protobuf')).toBe(true);
      expect(bodies.some((p) => p.body.includes('plaza-protobuf'))).toBe(true);
      expect(receiver.spans).toEqual([]);
      expect(bodies.some((p) => p.body.includes('query.Untraced'))).toBe(false);
      expect(traced.logs.some((line) => line.msg === 'tracing on')).toBe(true);
      expect(untraced.logs.some((line) => line.msg === 'tracing on')).toBe(false);
    } finally {
      traced.child.kill('SIGKILL');
      untraced.child.kill('SIGKILL');
      await receiver.close();
    }
  }, 60_000);
});
