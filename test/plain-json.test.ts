import { request } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { CREATE_POST, createSection, signUp, type TestUser } from './helpers/http.ts';

// The same server twice over one database: plain JSON POSTs on the fast path, and every request through Yoga.
let fast: App;
let yoga: App;
let alice: TestUser;
let sectionId: string;

// What the fast side logs at warn and above.
const complaints: Array<Record<string, unknown>> = [];
const warnings = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) complaints.push(JSON.parse(line));
    done();
  },
});

beforeAll(async () => {
  [fast, yoga] = await Promise.all([
    startTestApp({ logger: pino({ level: 'warn' }, warnings) }),
    startTestApp({ env: { PLAIN_JSON_FAST_PATH: 'false' } }),
  ]);
  alice = await signUp(fast, 'alice');
  sectionId = (await createSection(fast, alice)).id;
});
afterAll(() => Promise.all([fast?.stop(), yoga?.stop()]));

interface Answer {
  status: number;
  /** Lower-cased names, without the connection's own (date, keep-alive). */
  headers: Record<string, string>;
  /** Header names as sent: Yoga capitalises Content-Type, the fast path does not. */
  rawNames: string[];
  body: string;
}

function post(app: App, body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      app.url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const kept = Object.entries(res.headers).filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name));
          const rawNames = res.rawHeaders.filter((_, i) => i % 2 === 0);
          resolve({ status: res.statusCode!, headers: Object.fromEntries(kept) as Record<string, string>, rawNames, body: text });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const auth = () => ({ authorization: `Bearer ${alice.token}` });
const op = (query: string, variables?: unknown, extra: object = {}) => JSON.stringify({ query, ...(variables === undefined ? {} : { variables }), ...extra });

/** Requests the fast path answers itself, each with what makes it interesting. */
const served: Array<[string, () => string, () => Record<string, string>]> = [
  ['a trivial query, signed out', () => op('{ __typename }'), () => ({})],
  ['a query as the viewer', () => op('query Me { me { id username } }', null, { operationName: 'Me' }), auth],
  ['a field error (UNAUTHENTICATED) beside data', () => op('{ me { id } }'), () => ({})],
  ['a mutation refused by its service (NOT_FOUND)', () => op(CREATE_POST, { input: { sectionId: 'U2VjdGlvbjowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA=', content: 'x' } }), auth],
  ['bad user input', () => op(CREATE_POST, { input: { sectionId, content: '' } }), auth],
  ['a variable of the wrong type (no data, HTTP 400)', () => op('query($id: ID!) { post(id: $id) { id } }', { id: 5.5 }), auth],
  ['a missing variable', () => op('query($id: ID!) { post(id: $id) { id } }'), auth],
  ['the GraphQL-over-HTTP media type, with a field error', () => op('{ me { id } }'), () => ({ accept: 'application/graphql-response+json' })],
  ['the media type Apollo Client sends', () => op('{ __typename }'), () => ({ accept: 'application/graphql-response+json,application/json;q=0.9' })],
  ['a request from a browser origin (CORS headers)', () => op('{ me { id } }'), () => ({ ...auth(), origin: 'http://app.example' })],
  ['an empty extensions object', () => op('{ __typename }', {}, { extensions: {} }), () => ({})],
];

/** Requests left to Yoga: the same answers, since Yoga gives them either way. */
const leftToYoga: Array<[string, () => string | Buffer, () => Record<string, string>]> = [
  ['a gzip-compressed body', () => gzipSync(op('{ __typename }')), () => ({ 'content-encoding': 'gzip' })],
  ['a syntax error', () => op('{ me {'), () => ({})],
  ['a validation error', () => op('{ nope }'), () => ({})],
  ['a validation error, GraphQL-over-HTTP', () => op('{ nope }'), () => ({ accept: 'application/graphql-response+json' })],
  ['a batch', () => JSON.stringify([{ query: '{ __typename }' }]), () => ({})],
  ['an unknown parameter', () => JSON.stringify({ query: '{ __typename }', bogus: 1 }), () => ({})],
  ['variables that are not an object', () => JSON.stringify({ query: '{ __typename }', variables: [1] }), () => ({})],
  ['a body that is not JSON', () => '{"query":', () => ({})],
  ['a JSON string', () => '"{ __typename }"', () => ({})],
  ['an unknown operation name', () => op('query A { __typename } query B { __typename }', null, { operationName: 'C' }), () => ({})],
  ['a subscription over plain POST', () => op('subscription($id: ID!) { postCreated(sectionId: $id) { id } }', { id: sectionId }), () => ({ ...auth(), accept: 'application/json' })],
  ['a document deeper than the limit', () => op(`{ ${'node(id: "x") { ... on Post { '.repeat(12)}id${' } }'.repeat(12)} }`), auth],
  ['an Accept of HTML', () => op('{ __typename }'), () => ({ accept: 'text/html' })],
];

describe('plain JSON POSTs served without Yoga’s HTTP layer', () => {
  it.each(served)('answer as Yoga does: %s', async (_name, body, headers) => {
    const [mine, theirs] = await Promise.all([post(fast, body(), headers()), post(yoga, body(), headers())]);
    expect(mine.status).toBe(theirs.status);
    expect(mine.headers).toEqual(theirs.headers);
    expect(mine.body).toBe(theirs.body);
    // Answered on the fast path (the Yoga side writes `Content-Type`).
    expect(mine.rawNames).toContain('content-type');
    expect(theirs.rawNames).toContain('Content-Type');
  });

  it.each(leftToYoga)('leave the rest to Yoga, with its answer: %s', async (_name, body, headers) => {
    const [mine, theirs] = await Promise.all([post(fast, body(), headers()), post(yoga, body(), headers())]);
    expect(mine.status).toBe(theirs.status);
    expect(mine.headers).toEqual(theirs.headers);
    expect(mine.body).toBe(theirs.body);
    expect(mine.rawNames).not.toContain('content-type');
  });

  it('let a client that goes away mid-body go quietly, and go on answering', async () => {
    const answered = async () => (await fast.runtime.metrics.httpDuration.get()).values.filter((v) => v.metricName?.endsWith('_count') && v.labels.route === '/graphql').reduce((n, v) => n + v.value, 0);
    const before = await answered();
    const port = new URL(fast.url).port;
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":`);
          // Gone once the server has the headers and part of the body.
          setImmediate(() => socket.destroy());
        });
        socket.on('close', () => resolve());
      });
    }
    // Each request is counted when its response closes, the moment the server learns the client left.
    await expect.poll(answered, { timeout: 10_000 }).toBe(before + 5);
    await new Promise((resolve) => setImmediate(resolve));
    expect(complaints).toEqual([]);
    expect((await post(fast, op('{ __typename }'))).status).toBe(200);
  });

  it('store a created post once, with the same answer but its id', async () => {
    const input = { sectionId, content: 'over the fast path', links: ['https://example.com/fast'] };
    const [mine, theirs] = await Promise.all([post(fast, op(CREATE_POST, { input }), auth()), post(yoga, op(CREATE_POST, { input }), auth())]);
    expect(mine.status).toBe(200);
    const strip = (answer: Answer) => JSON.parse(answer.body, (key, value) => (key === 'id' || key === 'createdAt' || key === 'cursor' ? '…' : value));
    expect(strip(mine)).toEqual(strip(theirs));
    const stored = await fast.runtime.database.pool.query(`select count(*)::int as n from posts where content = $1`, [input.content]);
    expect(stored.rows[0].n).toBe(2);
  });
});

describe('plain JSON POSTs from a listed browser origin', () => {
  const ORIGIN = 'https://app.example';
  let listed: { fast: App; yoga: App };
  beforeAll(async () => {
    const [a, b] = await Promise.all([
      startTestApp({ env: { CORS_ORIGINS: ORIGIN } }),
      startTestApp({ env: { CORS_ORIGINS: ORIGIN, PLAIN_JSON_FAST_PATH: 'false' } }),
    ]);
    listed = { fast: a, yoga: b };
  });
  afterAll(() => Promise.all([listed?.fast.stop(), listed?.yoga.stop()]));

  it('carry the CORS headers Yoga sends', async () => {
    const body = op('{ me { id } }');
    const headers = { ...auth(), origin: ORIGIN };
    const [mine, theirs] = await Promise.all([post(listed.fast, body, headers), post(listed.yoga, body, headers)]);
    expect(mine.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(mine.headers).toEqual(theirs.headers);
    expect(mine.body).toBe(theirs.body);
    expect(mine.rawNames).toContain('content-type');
  });
});
