import type { AppError } from '../lib/errors.ts';
import type { Logger } from '../logger.ts';
import type { Broker } from './broker.ts';
import { EventFrame, Framer } from './event-frame.ts';
import { inSpan, SpanKind, tracingOn } from '../observability/trace-context.ts';
import type { Outbox, StoredEvent } from './outbox.ts';
import { type Delivered, type ReadPage, REPLAY_PAGE } from './replay-pages.ts';
import { Subscriber } from './subscriber.ts';
import type { Audience } from './subscriber.ts';


/** How a subscription is watched: who for, which events, and what to do when it ends. */
export interface WatchOptions extends Audience {
  /** Called once when the subscription ends, however it ends. */
  onEnd?: () => void;
  /**
   * Deliver the stream in frames (event-frame.ts): live events gathered for up to this many ms, one shared
   * delivery per window; a replay a page per frame. Set by the first watcher of a stream on this instance:
   * every watcher of one topic passes the same.
   */
  frameMs?: number;
}

/** How long an event that arrived ahead of a missing one waits for it before the outbox is read. */
const GAP_GRACE_MS = 100;

/** What every hub of one process shares. */
export interface HubDeps {
  broker: Broker<any>;
  outbox: Outbox<any>;
  log: Logger;
  subscriberDeps: { readPage: ReadPage; maxQueuedEvents: number; log: Logger };
  /** Told how many subscribers an event of a topic went to (metrics). */
  onDelivered?: (topic: string, count: number) => void;
  /** Its last subscriber left: it listens no more (streams.ts forgets it). */
  closed(hub: Hub): void;
}

/**
 * Ordered, gap-free delivery of one (topic, key) stream to this instance's
 * subscribers (see streams.ts): listens to the broker once for all of them,
 * hands events on strictly in sequence order, each once, reads what is
 * missing from the outbox, and, when framed, delivers through a Framer.
 */
export class Hub {
  lastSeq = 0;
  closed = false;
  /** Listening, and `lastSeq` read: events may be offered. */
  private opened = false;
  ready: Promise<void>;
  private readonly subscribers = new Set<Subscriber>();
  private readonly ahead = new Map<number, Delivered<unknown>>();
  private live: AsyncIterableIterator<StoredEvent<unknown>> | null = null;
  private repairing = false;
  private repairAgain = false;
  private gapTimer: NodeJS.Timeout | undefined;
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  private readonly deps: HubDeps;
  /** Delivers in frames (WatchOptions.frameMs): live events through it, replays a page per frame. */
  private readonly framer: Framer | null;

  constructor(deps: HubDeps, id: string, topic: string, key: string, frameMs?: number) {
    this.deps = deps;
    this.id = id;
    this.topic = topic;
    this.key = key;
    this.framer = frameMs === undefined ? null : new Framer(frameMs, (frame) => this.fanOut(frame));
    this.ready = this.open();
  }

  get framed(): boolean {
    return this.framer !== null;
  }

  /** Listens first, then reads where the stream stands: anything committed after that arrives live. */
  private async open() {
    this.live = await this.deps.broker.listen(this.topic, this.key);
    try {
      this.lastSeq = (await this.deps.outbox.head(this.topic, this.key)).lastSeq;
    } catch (err) {
      await this.live.return?.();
      throw err;
    }
    void this.pump(this.live);
  }

  private async pump(live: AsyncIterableIterator<StoredEvent<unknown>>) {
    this.opened = true;
    for await (const event of live) this.offer({ topic: this.topic, key: this.key, seq: event.seq, payload: event.payload, trace: event.trace });
  }

  /** An event numbered in this process (outbox.watchNumbered): offered like one from the broker, once the hub knows where its stream stands. */
  offerNumbered(event: Delivered<unknown>) {
    if (this.opened && !this.closed) this.offer(event);
  }

  private offer(event: Delivered<unknown>) {
    if (event.seq <= this.lastSeq) return;
    // A notification without its payload (the NOTIFY broker): read it, and anything before it, from the outbox.
    if (event.payload === undefined) return void this.catchUp();
    if (event.seq === this.lastSeq + 1 && !this.repairing) {
      this.deliver(event);
      this.drainAhead();
      return;
    }
    this.ahead.set(event.seq, event);
    // Writers on different instances publish after COMMIT in no fixed order: the missing one is
    // usually a moment behind. Read the outbox only if it has not come by then.
    if (this.repairing) return void this.catchUp();
    this.gapTimer ??= setTimeout(() => {
      this.gapTimer = undefined;
      if (this.ahead.size > 0) void this.catchUp();
    }, GAP_GRACE_MS);
  }

  private deliver(event: Delivered<unknown>) {
    this.lastSeq = event.seq;
    if (this.framer) this.framer.add(event);
    else this.fanOut(event);
  }

  private fanOut(event: Delivered<unknown>) {
    // Traced: one span for the whole fan-out on this instance, in the trace that recorded the event.
    if (event.trace === undefined || !tracingOn()) return this.offerAll(event);
    const links = event.payload instanceof EventFrame ? event.payload.events.flatMap((e) => (e.trace !== undefined && e.trace !== event.trace ? [e.trace] : [])) : [];
    const attributes = { 'messaging.destination.name': this.topic, 'plaza.stream.seq': event.seq };
    inSpan(`deliver ${this.topic}`, { parent: event.trace, links, kind: SpanKind.CONSUMER, attributes }, (span) => {
      this.offerAll(event);
      span?.setAttribute('plaza.subscribers', this.subscribers.size);
    });
  }

  private offerAll(event: Delivered<unknown>) {
    for (const subscriber of this.subscribers) subscriber.offer(event);
    this.deps.onDelivered?.(this.topic, this.subscribers.size);
  }

  private drainAhead() {
    for (let next = this.ahead.get(this.lastSeq + 1); next; next = this.ahead.get(this.lastSeq + 1)) {
      this.ahead.delete(next.seq);
      this.deliver(next);
    }
    for (const seq of this.ahead.keys()) if (seq <= this.lastSeq) this.ahead.delete(seq);
    if (this.ahead.size === 0 && this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    }
  }

  /**
   * An event seen live is committed, and so is every earlier one of its
   * stream (sequence numbers follow commit order): what the outbox no longer
   * holds was pruned. Move on to what arrived.
   */
  private skipPruned() {
    while (this.ahead.size > 0) {
      const next = Math.min(...this.ahead.keys());
      const event = this.ahead.get(next)!;
      this.ahead.delete(next);
      if (next > this.lastSeq) this.deliver(event);
      this.drainAhead();
    }
  }

  /** Reads from the outbox whatever follows the last event handed on: a gap, or an outage of the broker. */
  async catchUp(): Promise<void> {
    if (this.repairing) {
      this.repairAgain = true;
      return;
    }
    this.repairing = true;
    try {
      do {
        this.repairAgain = false;
        const rows = await this.deps.outbox.read(this.topic, this.key, this.lastSeq, REPLAY_PAGE);
        // Rows run on from lastSeq + 1; one further on means the ones between were pruned: move on.
        for (const row of rows) if (row.seq > this.lastSeq) this.deliver({ topic: this.topic, key: this.key, seq: row.seq, payload: row.payload });
        this.drainAhead();
        if (rows.length === REPLAY_PAGE) this.repairAgain = true;
        else this.skipPruned();
      } while (this.repairAgain && !this.closed);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message, topic: this.topic }, 'catching up failed; retrying');
      setTimeout(() => void this.catchUp(), 1_000).unref();
    } finally {
      this.repairing = false;
    }
  }

  join(after: number | null, options: WatchOptions): AsyncIterableIterator<Delivered<unknown>> {
    const subscriber = new Subscriber(this, after ?? this.lastSeq, this.deps.subscriberDeps, options.onEnd, options);
    this.subscribers.add(subscriber);
    if (after !== null && after < this.lastSeq) void subscriber.replay(this.lastSeq);
    return subscriber.queue;
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Ends the subscriptions of one viewer with `error`. */
  endFor(viewerId: string, error: AppError): number {
    let ended = 0;
    for (const subscriber of this.subscribers) {
      if (subscriber.viewerId !== viewerId) continue;
      subscriber.endWith(error);
      ended++;
    }
    return ended;
  }

  leave(subscriber: Subscriber) {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size > 0 || this.closed) return;
    this.closed = true;
    clearTimeout(this.gapTimer);
    this.framer?.stop();
    this.deps.closed(this);
    void this.live?.return?.();
  }
}
