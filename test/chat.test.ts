import { describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable, startTestApp, twoInstances } from './helpers/app.ts';
import { codeOf, gql, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { listening, type Subscription, subscribeSse, subscribeWs, wsClient } from './helpers/subscriptions.ts';

const CHAT =
  'subscription($c: ID!, $after: String) { channelChat(channelId: $c, after: $after) { messages { id text author { id } } deletedIds pinnedMessage { id text } pinChanged cursor } }';
const SEND = 'mutation($i: SendChatMessageInput!) { sendChatMessage(input: $i) { id text createdAt } }';

async function channelOf(app: App, seller: TestUser): Promise<string> {
  return (await ok(app, 'mutation { createChannel(input: { name: "Live" }) { id } }', {}, seller.token)).createChannel.id;
}

const send = async (app: App, user: TestUser, channel: string, text: string) =>
  (await ok(app, SEND, { i: { channelId: channel, text } }, user.token)).sendChatMessage as { id: string; text: string };

/** Every message text a subscription has seen, in order, across its frames. */
const texts = (sub: Subscription) => sub.results.flatMap((r) => r.channelChat.messages.map((m: { text: string }) => m.text));

/** Waits until the subscription has seen `count` messages in all. */
async function untilMessages(sub: Subscription, count: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (texts(sub).length < count) {
    await sub.waitFor(sub.results.length + 1, Math.max(1, deadline - Date.now()));
  }
}

describe.skipIf(!redisAvailable() && process.env.CI !== 'true')('live chat across two instances', () => {
  const instances = twoInstances({ redis: true, env: { CHANNEL_CHAT_FRAME_MS: '200' } });

  it('a joiner gets the last 50 and the pinned message; a burst comes in shared frames, in order, once each', async () => {
    const { a, b } = instances;
    const seller = await signUp(a, 'seller');
    const viewer = await signUp(a, 'viewer');
    const channel = await channelOf(a, seller);
    for (let i = 1; i <= 55; i++) await send(a, viewer, channel, `old ${i}`);
    const pinned = await send(a, viewer, channel, 'pin me');
    await ok(a, 'mutation($m: ID!) { pinChatMessage(messageId: $m) { pinnedMessage { id } } }', { m: pinned.id }, seller.token);

    const { client } = wsClient(b, viewer.token);
    const first = subscribeWs(client, CHAT, { c: channel });
    const second = subscribeWs(client, CHAT, { c: channel });
    const sse = subscribeSse(a, viewer.token, CHAT, { c: channel });
    for (const sub of [first, second, sse]) {
      const [frame] = (await sub.waitFor(1)).map((r) => r.channelChat);
      expect(frame.messages).toHaveLength(50);
      expect(frame.messages[0].text).toBe('old 7');
      expect(frame.messages.at(-1).text).toBe('pin me');
      expect(frame).toMatchObject({ pinChanged: true, pinnedMessage: { id: pinned.id, text: 'pin me' }, deletedIds: [] });
    }

    // A quiet room: one message, at once, alone.
    await send(a, viewer, channel, 'hello');
    expect((await first.waitFor(2))[1].channelChat.messages.map((m: { text: string }) => m.text)).toEqual(['hello']);

    // A burst of 40 from two instances: every one once, in one order everywhere, in far fewer frames.
    const senders = [viewer, seller];
    await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 2 ? a : b, senders[i % 2]!, channel, `burst ${i}`)));
    for (const sub of [first, second, sse]) await untilMessages(sub, 50 + 1 + 40);
    const burst = texts(first).slice(51);
    expect(new Set(burst).size).toBe(40);
    expect(texts(second)).toEqual(texts(first));
    expect(texts(sse)).toEqual(texts(first));
    expect(first.results.length - 2).toBeLessThanOrEqual(10);
    // The same frames for both subscribers of one instance (built once, shared).
    expect(second.results.map((r) => r.channelChat.cursor)).toEqual(first.results.map((r) => r.channelChat.cursor));
    first.dispose();
    second.dispose();
    sse.dispose();
    await client.dispose();
  });

  it('resumes after a frame with exactly what was missed; a deleted message is never sent again, not even in a replay', async () => {
    const { a, b } = instances;
    const seller = await signUp(a, 'seller');
    const viewer = await signUp(a, 'viewer');
    const channel = await channelOf(a, seller);
    const { client } = wsClient(a, viewer.token);
    const live = subscribeWs(client, CHAT, { c: channel });
    const [joined] = await live.waitFor(1);
    const from = joined.channelChat.cursor;

    const kept = await send(a, viewer, channel, 'kept');
    const secret = await send(b, viewer, channel, 'secret');
    await send(a, viewer, channel, 'after');
    await untilMessages(live, 3);
    expect(codeOf(await gql(a, 'mutation($m: ID!) { deleteChatMessage(messageId: $m) }', { m: secret.id }, seller.token))).toBeUndefined();
    await live.waitFor(live.results.length + 1);
    expect(live.results.at(-1).channelChat).toMatchObject({ messages: [], deletedIds: [secret.id] });

    // Resumed on the other instance from before all of it: the deletion in place of the message, never its text.
    const resumed = subscribeSse(b, viewer.token, CHAT, { c: channel, after: from });
    const [replay] = (await resumed.waitFor(1)).map((r) => r.channelChat);
    expect(replay.messages.map((m: { text: string }) => m.text)).toEqual(['kept', 'after']);
    expect(replay.deletedIds).toEqual([secret.id]);
    expect(JSON.stringify(resumed.results)).not.toContain('secret');
    // From the frame holding "kept": only what followed.
    const keptFrame = live.results.find((r) => r.channelChat.messages.some((m: { id: string }) => m.id === kept.id))!.channelChat;
    const later = subscribeWs(client, CHAT, { c: channel, after: keptFrame.cursor });
    const [rest] = (await later.waitFor(1)).map((r) => r.channelChat);
    expect(rest.messages.map((m: { text: string }) => m.text)).not.toContain('kept');
    expect(JSON.stringify(rest)).not.toContain('secret');
    // Nor in the history.
    const history = await ok(a, 'query($c: ID!) { node(id: $c) { ... on Channel { chat(last: 10) { edges { node { text } } } } } }', { c: channel }, viewer.token);
    expect(history.node.chat.edges.map((e: { node: { text: string } }) => e.node.text)).toEqual(['kept', 'after']);
    resumed.dispose();
    await client.dispose();
  });

  it('slow mode, text rules, and who may moderate', async () => {
    const { a } = instances;
    const seller = await signUp(a, 'seller');
    const mod = await signUp(a, 'mod');
    const user = await signUp(a, 'user');
    const channel = await channelOf(a, seller);
    const SLOW = 'mutation($c: ID!, $s: Int!) { setChatSlowMode(channelId: $c, seconds: $s) { slowModeSeconds } }';
    expect(codeOf(await gql(a, SLOW, { c: channel, s: 30 }, user.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(a, SLOW, { c: channel, s: -1 }, seller.token))).toBe('BAD_USER_INPUT');
    expect((await ok(a, SLOW, { c: channel, s: 30 }, seller.token)).setChatSlowMode.slowModeSeconds).toBe(30);

    const mine = await send(a, user, channel, '<b>not bold</b> & "quoted"');
    expect(mine.text).toBe('<b>not bold</b> & "quoted"');
    const tooSoon = await gql(a, SEND, { i: { channelId: channel, text: 'again' } }, user.token);
    expect(codeOf(tooSoon)).toBe('RATE_LIMITED');
    expect(tooSoon.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    // The seller and moderators are not slowed.
    await send(a, seller, channel, 'one');
    await send(a, seller, channel, 'two');

    for (const text of ['', '   ', 'x'.repeat(501), 'bell\u0007', 'null\u0000', 'flip\u202Eeht']) {
      expect(codeOf(await gql(a, SEND, { i: { channelId: channel, text } }, seller.token))).toBe('BAD_USER_INPUT');
    }
    expect((await send(a, seller, channel, 'two\nlines')).text).toBe('two\nlines');

    const MOD = 'mutation($c: ID!, $u: ID!) { addChannelModerator(channelId: $c, userId: $u) { id } }';
    const DELETE = 'mutation($m: ID!) { deleteChatMessage(messageId: $m) }';
    const PIN = 'mutation($m: ID!) { pinChatMessage(messageId: $m) { pinnedMessage { id } } }';
    const other = await send(a, seller, channel, 'the seller speaks');
    expect(codeOf(await gql(a, MOD, { c: channel, u: user.id }, user.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(a, DELETE, { m: other.id }, user.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(a, PIN, { m: other.id }, user.token))).toBe('FORBIDDEN');
    await ok(a, MOD, { c: channel, u: mod.id }, seller.token);
    expect((await ok(a, PIN, { m: other.id }, mod.token)).pinChatMessage.pinnedMessage.id).toBe(other.id);
    // The author deletes their own; a moderator anyone's.
    expect((await ok(a, DELETE, { m: mine.id }, user.token)).deleteChatMessage).toBe(mine.id);
    expect((await ok(a, DELETE, { m: other.id }, mod.token)).deleteChatMessage).toBe(other.id);
    const state = await ok(a, 'query($c: ID!) { node(id: $c) { ... on Channel { pinnedMessage { id } viewerRole } } }', { c: channel }, mod.token);
    expect(state.node).toEqual({ pinnedMessage: null, viewerRole: 'MODERATOR' });
    expect(codeOf(await gql(a, DELETE, { m: mine.id }, seller.token))).toBe('NOT_FOUND');
  });

  it("a ban ends the user's chat on the other instance within a second; they can neither send nor read", async () => {
    const { a, b } = instances;
    const seller = await signUp(a, 'seller');
    const mod = await signUp(a, 'mod');
    const user = await signUp(a, 'user');
    const channel = await channelOf(a, seller);
    await ok(a, 'mutation($c: ID!, $u: ID!) { addChannelModerator(channelId: $c, userId: $u) { id } }', { c: channel, u: mod.id }, seller.token);
    const { client } = wsClient(b, user.token);
    const ready = listening(b, `channel:chat:${localIdOf(channel)}`);
    const ws = subscribeWs(client, CHAT, { c: channel });
    const sse = subscribeSse(b, user.token, CHAT, { c: channel });
    await ready;
    await ws.waitFor(1);
    await sse.waitFor(1);

    const seen = await send(a, seller, channel, 'welcome');
    const BAN = 'mutation($i: ChannelBanInput!) { banFromChannel(input: $i) { id } }';
    expect(codeOf(await gql(a, BAN, { i: { channelId: channel, userId: mod.id } }, user.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(a, BAN, { i: { channelId: channel, userId: seller.id } }, mod.token))).toBe('FORBIDDEN');
    const started = Date.now();
    await ok(a, BAN, { i: { channelId: channel, userId: user.id } }, mod.token);
    for (const sub of [ws, sse]) {
      const error = JSON.stringify(await sub.waitForError(1_500));
      expect(error).toContain('FORBIDDEN');
    }
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(codeOf(await gql(b, SEND, { i: { channelId: channel, text: 'let me in' } }, user.token))).toBe('FORBIDDEN');
    // Not even a message they saw, by its id.
    expect((await ok(b, 'query($m: ID!) { node(id: $m) { id } }', { m: seen.id }, user.token)).node).toBeNull();
    expect((await ok(b, 'query($m: ID!) { node(id: $m) { id } }', { m: seen.id }, mod.token)).node).toEqual({ id: seen.id });
    expect(codeOf(await gql(b, 'query($c: ID!) { node(id: $c) { ... on Channel { chat { edges { node { id } } } } } }', { c: channel }, user.token))).toBe('FORBIDDEN');
    const again = subscribeWs(client, CHAT, { c: channel });
    expect(JSON.stringify(await again.waitForError())).toContain('FORBIDDEN');
    // Unbanned, they are back.
    await ok(a, 'mutation($c: ID!, $u: ID!) { unbanFromChannel(channelId: $c, userId: $u) { id } }', { c: channel, u: user.id }, seller.token);
    expect((await send(b, user, channel, 'thanks')).text).toBe('thanks');
    await client.dispose();
  });
});

describe('a chat flooder', () => {
  it('is refused past its rate while others in the room are served', async () => {
    const app = await startTestApp({ env: { RATE_LIMIT_CHAT_MESSAGE: '20/10' } });
    try {
      const seller = await signUp(app, 'seller');
      const flooder = await signUp(app, 'flooder');
      const bystander = await signUp(app, 'bystander');
      const channel = await channelOf(app, seller);
      const { client } = wsClient(app, bystander.token);
      const live = subscribeWs(client, CHAT, { c: channel });
      await live.waitFor(1);
      const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => gql(app, SEND, { i: { channelId: channel, text: `spam ${i}` } }, flooder.token)));
      const codes = answers.map((r) => codeOf(r) ?? 'OK');
      expect(codes.filter((c) => c === 'OK')).toHaveLength(20);
      expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(40);
      // Meanwhile the room works for everyone else, and only what was accepted went out.
      await send(app, bystander, channel, 'still here');
      await untilMessages(live, 21);
      expect(texts(live).filter((t) => t.startsWith('spam'))).toHaveLength(20);
      expect(texts(live)).toContain('still here');
      await client.dispose();
    } finally {
      await app.stop();
    }
  });
});
