import type { WebSocket } from 'ws';
import { bearerToken } from '../../auth/tokens.ts';
import type { Viewer } from '../../auth/viewer.ts';
import type { Connection, EndReason } from '../connections/registry.ts';
import type { WsContext } from './subscribe.ts';

/** Close codes beyond graphql-ws's own; docs/clients.md lists them all. */
export const CLOSE = {
  /** No valid token at connection_init, a token that expired, or a session signed out. */
  forbidden: 4403,
  /** The user already holds MAX_CONNECTIONS_PER_USER connections. */
  tooManyConnections: 4429,
} as const;

export const END_MESSAGES: Record<EndReason, string> = { expired: 'Token expired', revoked: 'Signed out' };

let sequence = 0;

/**
 * What Plaza keeps per WebSocket beside graphql-ws's own context: the viewer,
 * the slot it holds, and which viewer-dependent questions its subscriptions
 * ask. Methods live on the prototype and the maps are made on first use: an
 * idle subscribed socket carries a handful of fields.
 */
export class WsConnection implements Connection {
  readonly kind = 'ws' as const;
  readonly id = `ws${(sequence++).toString(36)}`;
  viewer: Viewer | null = null;
  /** graphql-ws's context of this socket, once it is acknowledged (its operations live in `ctx.subscriptions`). */
  ctx: WsContext | null = null;
  /** Gives back the user's connection slot; set once the socket is authenticated. */
  release: (() => void) | null = null;
  /** Takes the connection out of the registry (on close). */
  untrack: (() => void) | null = null;
  /** Distinct viewer-dependent questions -> how many subscriptions ask each. */
  private questions: Map<string, number> | null = null;
  /** Subscription id -> its question, for those counted in `questions`. */
  private questionOf: Map<string, string> | null = null;
  readonly socket: WebSocket;
  readonly ip: string;

  constructor(socket: WebSocket, ip: string) {
    this.socket = socket;
    this.ip = ip;
  }

  buffered(): number {
    return this.socket.bufferedAmount;
  }

  end(reason: EndReason): void {
    this.socket.close(CLOSE.forbidden, END_MESSAGES[reason]);
  }

  destroy(): void {
    this.socket.terminate();
  }

  /** Counts subscription `id` as asking `question`; false when that would pass `max` distinct questions. */
  ask(id: string, question: string, max: number): boolean {
    this.questions ??= new Map();
    this.questionOf ??= new Map();
    const asked = this.questions.get(question);
    if (asked === undefined && this.questions.size >= max) return false;
    this.questions.set(question, (asked ?? 0) + 1);
    this.questionOf.set(id, question);
    return true;
  }

  /** Releases the question a finished subscription counted for. */
  forget(id: string): void {
    const question = this.questionOf?.get(id);
    if (question === undefined || !this.questions || !this.questionOf) return;
    this.questionOf.delete(id);
    const left = (this.questions.get(question) ?? 1) - 1;
    if (left > 0) this.questions.set(question, left);
    else this.questions.delete(question);
  }
}

/** Blanks `authorization` (any letter case) in connection parameters kept after use. */
export function forgetToken(params: Readonly<Record<string, unknown>> | undefined): void {
  if (!params) return;
  for (const key of Object.keys(params)) if (key.toLowerCase() === 'authorization') (params as Record<string, unknown>)[key] = '';
}

/** The token from `connectionParams.authorization` (any letter case). */
export function tokenFromParams(params: Readonly<Record<string, unknown>> | undefined): string | null {
  if (!params) return null;
  const key = Object.keys(params).find((k) => k.toLowerCase() === 'authorization');
  return key ? bearerToken(params[key]) : null;
}
