import { type ExecutionArgs, type ExecutionResult, getOperationAST, GraphQLError } from 'graphql';
import { type Context, MessageType, parseMessage, type SubscribePayload } from 'graphql-ws';
import { isAsyncIterable } from 'graphql-yoga';
import type { WebSocket } from 'ws';
import type { DirectSend, DirectSubscription } from '../../graphql/plugins/direct-results.ts';
import { publicErrors, resultJson } from '../../graphql/result-json.ts';
import { flat } from '../../lib/flat-string.ts';
import type { Extra } from './transport.ts';

export type WsContext = Context<Record<string, unknown> | undefined, Extra>;
type Ctx = WsContext;

export interface SubscribeHooks {
  /** Checks and builds the operation; its context carries `push`, the operation itself. */
  prepare(ctx: Ctx, id: string, payload: SubscribePayload, push: DirectSend): Promise<readonly GraphQLError[] | ExecutionArgs>;
  /** An error as the client may see it (masked like every other). */
  mask(error: unknown): GraphQLError;
  /** The operation is over, however it ended. */
  done(ctx: Ctx, id: string): void;
}

interface Runner {
  execute(args: ExecutionArgs): Promise<unknown> | unknown;
  subscribe(args: ExecutionArgs): Promise<unknown> | unknown;
}

/**
 * graphql-ws's `subscribe` message, served here instead of by graphql-ws's
 * engine, which keeps an async loop suspended per operation, holding the
 * message and its arguments, with a promise chain through every plugin's
 * result wrapper: most of what an idle subscription cost. A subscription that
 * delivers by push (direct-results.ts) is entered in graphql-ws's own
 * `ctx.subscriptions` and holds nothing else: graphql-ws still answers the
 * client's `complete` and the socket's close by returning it. The protocol is
 * graphql-ws's to the byte: the same frames, and every subscribe it would
 * refuse (malformed, before the ack, a duplicate id) is left to it.
 */
export function createSubscribeHandler(hooks: SubscribeHooks) {
  /** Null when the message is graphql-ws's to handle. */
  return (ctx: Ctx, text: string): Promise<void> | null => {
    let message;
    try {
      message = parseMessage(text);
    } catch {
      return null;
    }
    if (message.type !== MessageType.Subscribe || !ctx.acknowledged || message.id in ctx.subscriptions) return null;
    ctx.subscriptions[message.id] = null;
    return run(new Operation(ctx, message.id, hooks), message.payload);
  };
}

async function run(operation: Operation, payload: SubscribePayload): Promise<void> {
  const { ctx, id, hooks } = operation;
  let pushed = false;
  try {
    const args = await hooks.prepare(ctx, id, payload, operation);
    if (Array.isArray(args)) return operation.refuse(args);
    const prepared = args as ExecutionArgs;
    const ast = getOperationAST(prepared.document, prepared.operationName);
    if (!ast) return operation.refuse([new GraphQLError('Unable to identify operation')]);
    const runner = prepared.rootValue as Runner;
    const outcome = await (ast.operation === 'subscription' ? runner.subscribe(prepared) : runner.execute(prepared));
    if (!isAsyncIterable(outcome)) {
      if (operation.open()) operation.sendResult(resultJson(outcome as ExecutionResult));
      return operation.ended();
    }
    const iterator = outcome as AsyncIterableIterator<ExecutionResult>;
    if (!operation.open()) return void (await iterator.return?.());
    if (operation.subscription) {
      // Delivers itself; the plugins' wrapper around it is let go.
      ctx.subscriptions[id] = operation.subscription;
      pushed = true;
      return;
    }
    ctx.subscriptions[id] = iterator;
    try {
      for await (const result of iterator) operation.sendResult(resultJson(result));
    } catch (err) {
      return operation.failed(err as Error);
    }
    operation.ended();
  } finally {
    if (!pushed) {
      delete ctx.subscriptions[id];
      hooks.done(ctx, id);
    }
  }
}

const TEXT = { binary: false } as const;

// The frame last built for a result, per subscription id: a fan-out writes one result to thousands of
// sockets in a row, most of them under the same id ("1"), and each then takes the same bytes instead of
// joining and encoding its own copy of the text.
let framedPayload: string | null = null;
const framed = new Map<string, Buffer>();

function frameBytes(frameStart: string, payloadJson: string): Buffer {
  if (payloadJson !== framedPayload) {
    framedPayload = payloadJson;
    framed.clear();
  }
  let bytes = framed.get(frameStart);
  if (!bytes) {
    bytes = Buffer.from(frameStart + payloadJson + '}');
    // Ids are the client's: a fan-out across many distinct ones keeps a few, not one per socket.
    if (framed.size < 16) framed.set(frameStart, bytes);
  }
  return bytes;
}

// A result (and an error) shared by a cohort of subscribers is masked and serialised once for all of them.
const maskedResults = new WeakMap<ExecutionResult, string>();
const maskedErrors = new WeakMap<Error, GraphQLError>();

/**
 * One operation of one socket: writes its frames, and is the push target of a
 * pushed subscription. Methods on the prototype, five fields: what an idle
 * subscription holds beside its stream and context.
 */
class Operation implements DirectSend {
  readonly ctx: Ctx;
  readonly id: string;
  readonly hooks: SubscribeHooks;
  subscription: DirectSubscription | null = null;
  private readonly frameStart: string;

  constructor(ctx: Ctx, id: string, hooks: SubscribeHooks) {
    this.ctx = ctx;
    this.id = id;
    this.hooks = hooks;
    this.frameStart = flat(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  }

  /** Still wanted: not completed by the client, the socket not closed. */
  open(): boolean {
    return this.id in this.ctx.subscriptions;
  }

  private write(frame: string) {
    const socket: WebSocket = this.ctx.extra.socket;
    if (socket.readyState === socket.OPEN) socket.send(frame);
  }

  attached(subscription: DirectSubscription): void {
    this.subscription = subscription;
  }

  sendResult(payloadJson: string): void {
    const socket: WebSocket = this.ctx.extra.socket;
    // Text, as graphql-ws speaks: the bytes are shared, the frame is not binary.
    if (socket.readyState === socket.OPEN) socket.send(frameBytes(this.frameStart, payloadJson), TEXT);
  }

  sendErrored(result: ExecutionResult): void {
    let text = maskedResults.get(result);
    if (text === undefined) {
      text = resultJson({ ...result, errors: result.errors!.map((error) => this.mask(error)) });
      maskedResults.set(result, text);
    }
    this.sendResult(text);
  }

  /** Masked once per error, however many subscribers it reaches (and logged once, when unexpected). */
  private mask(error: Error): GraphQLError {
    let masked = maskedErrors.get(error);
    if (!masked) {
      masked = this.hooks.mask(error);
      maskedErrors.set(error, masked);
    }
    return masked;
  }

  /** Errors instead of a result (graphql-ws's `error` message): the operation is over. */
  refuse(errors: readonly GraphQLError[]): void {
    if (!this.open()) return;
    delete this.ctx.subscriptions[this.id];
    this.write(JSON.stringify({ id: this.id, type: MessageType.Error, payload: publicErrors(errors) }));
  }

  failed(error: Error): void {
    this.refuse([this.mask(error)]);
    this.over();
  }

  ended(): void {
    if (this.open()) {
      delete this.ctx.subscriptions[this.id];
      this.write(JSON.stringify({ id: this.id, type: MessageType.Complete }));
    }
    this.over();
  }

  /** A pushed subscription's end (the others end with `run`). */
  private over() {
    if (this.subscription) this.hooks.done(this.ctx, this.id);
  }
}

