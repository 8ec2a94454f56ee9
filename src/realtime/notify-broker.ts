import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { Broker } from './broker.ts';
import { listenOn } from './listen-on.ts';
import { EVENTS_CHANNEL, type TopicMap } from './outbox.ts';

/**
 * The broker without Redis: PostgreSQL's own NOTIFY, which the sequencer
 * sends whenever it numbers events, to every listening process. A
 * notification names the stream and its last number without the payloads;
 * the stream hub reads what it lacks from the outbox. One connection per
 * process listens; when it comes back after an outage the hubs catch up.
 * This is the embedded default's broker, and what lets several processes on
 * one database (tests, a worker beside a server) each see every event.
 */
export function createNotifyBroker<T extends TopicMap>(databaseUrl: string, logger: Logger): Broker<T> {
  const log = logger.child({ module: 'notify-broker' });
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const target = new EventTarget();
  let client: pg.Client | null = null;
  let closed = false;
  let connectedOnce = false;
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  const dispatch = (message: pg.Notification) => {
    try {
      const [topic, key, seq] = JSON.parse(message.payload ?? '') as [string, string, number];
      target.dispatchEvent(new CustomEvent(`${topic}:${key}`, { detail: { seq, payload: undefined } }));
    } catch {
      log.warn({ payload: message.payload }, 'unreadable event notification');
    }
  };

  async function connect(): Promise<void> {
    if (closed) return;
    const next = new pg.Client({ connectionString: databaseUrl, application_name: 'plaza-events' });
    next.on('notification', dispatch);
    next.on('error', (err) => log.warn({ err: err.message }, 'event notifications lost their connection'));
    next.on('end', () => {
      if (client !== next || closed) return;
      client = null;
      setTimeout(() => void connect(), 500).unref();
    });
    try {
      await next.connect();
      await next.query(`listen ${EVENTS_CHANNEL}`);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cannot listen for events yet; retrying');
      await next.end().catch(() => {});
      setTimeout(() => void connect(), 1_000).unref();
      return;
    }
    client = next;
    if (connectedOnce) events.emit('reconnected');
    connectedOnce = true;
    resolveReady();
  }
  void connect();

  return {
    mode: 'in-process',
    events,
    async publish(topic, key, event) {
      target.dispatchEvent(new CustomEvent(`${topic}:${key}`, { detail: event }));
    },
    listen: (topic, key) => listenOn(target, `${topic}:${key}`, { maxBuffered: 100_000 }),
    whenReady: () => ready,
    async ping() {
      if (!client) throw new Error('not listening for events');
      await client.query('select 1');
    },
    async close() {
      closed = true;
      await client?.end().catch(() => {});
      client = null;
    },
  };
}
