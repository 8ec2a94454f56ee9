import { Agent, request } from 'undici';

/** What each attack got back, by code (or status). */
export type Outcomes = Record<string, number>;

/** The attacker's own address: the normal clients come from others. */
export const ATTACKER_ADDRESS = '127.0.0.250';

// undici takes the source address as a client option (its connect options ignore it).
export const agent = new Agent({ connections: 64, pipelining: 1, localAddress: ATTACKER_ADDRESS } as ConstructorParameters<typeof Agent>[0]);

/** A request from the attacker's address; null when the network failed. */
export async function attackerRequest(url: string, init: { method: 'GET' | 'POST'; body?: string; headers?: Record<string, string> }) {
  try {
    const res = await request(url, { ...init, dispatcher: agent });
    return { status: res.statusCode, text: await res.body.text() };
  } catch {
    return null;
  }
}

