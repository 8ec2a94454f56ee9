import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { connectRedis, type RedisTarget } from './redis-client.ts';
import type { Logger } from '../logger.ts';
import type { Occupancy, PresenceStore } from './presence.ts';

const CHANNEL = 'plaza:presence';

// Per room: `z` (zset "member|instance" -> expiry, ms), `n` (hash member -> instances holding it),
// `lex` (zset of members, score 0, for paging), `last` (hash: the state last published, and when).
const ADD = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local expiry = now + tonumber(ARGV[2])
for i = 4, #ARGV do
  if redis.call('ZADD', KEYS[1], expiry, ARGV[i] .. '|' .. ARGV[1]) == 1 then
    if redis.call('HINCRBY', KEYS[2], ARGV[i], 1) == 1 then redis.call('ZADD', KEYS[3], 0, ARGV[i]) end
  end
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
return 1`;

const REMOVE = `
if redis.call('ZREM', KEYS[1], ARGV[2] .. '|' .. ARGV[1]) == 1 then
  if redis.call('HINCRBY', KEYS[2], ARGV[2], -1) <= 0 then
    redis.call('HDEL', KEYS[2], ARGV[2])
    redis.call('ZREM', KEYS[3], ARGV[2])
  end
end
return 1`;

const OCCUPANCY = `
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('ZREM', KEYS[1], entry)
  local member = string.match(entry, '^(.*)|[^|]*$')
  if redis.call('HINCRBY', KEYS[2], member, -1) <= 0 then
    redis.call('HDEL', KEYS[2], member)
    redis.call('ZREM', KEYS[3], member)
  end
end
local owner = redis.call('HEXISTS', KEYS[2], ARGV[1])
local count = redis.call('HLEN', KEYS[2]) - owner
if ARGV[2] == '0' then return {count, owner, 'read'} end
local state = count .. ':' .. owner
local last = redis.call('HMGET', KEYS[4], 'state', 'at')
if last[1] == state then return {count, owner, 'unchanged'} end
if last[2] and now - tonumber(last[2]) < tonumber(ARGV[3]) then return {count, owner, 'later'} end
redis.call('HSET', KEYS[4], 'state', state, 'at', now)
-- An empty room's last state is kept no longer than its interval needs it: closed channels must not pile up.
if count == 0 and owner == 0 then redis.call('PEXPIRE', KEYS[4], math.max(tonumber(ARGV[3]), 1000)) else redis.call('PEXPIRE', KEYS[4], 86400000) end
redis.call('PUBLISH', ARGV[4], cjson.encode({room = ARGV[5], count = count, ownerPresent = owner == 1}))
return {count, owner, 'published'}`;

type Scripted = (Redis | Cluster) & {
  presenceAdd(...args: (string | number)[]): Promise<number>;
  presenceRemove(...args: (string | number)[]): Promise<number>;
  presenceOccupancy(...args: (string | number)[]): Promise<[number, number, string]>;
};

const keys = (room: string) => {
  // One hash slot per room (Redis Cluster): the braces.
  const base = `plaza:presence:{${room}}`;
  return [`${base}:z`, `${base}:n`, `${base}:lex`, `${base}:last`];
};

/**
 * Presence in Redis, shared by every instance. Each instance writes the
 * members it holds with an expiry it renews (`ttlMs`): an instance that dies
 * stops renewing, and its members drop out of the count within the TTL
 * without anyone cleaning up. A member held by several instances counts once.
 */
export function createRedisPresenceStore(target: RedisTarget, { ttlMs, logger }: { ttlMs: number; logger: Logger }): PresenceStore {
  const instance = randomUUID();
  const client = connectRedis(target, 'plaza-presence', { offlineQueue: false }) as Scripted;
  // Occupancy changes are few (one per room per interval): classic pub/sub, on a cluster too.
  const subscriber = connectRedis(target, 'plaza-presence-sub', { autoResubscribe: false });
  for (const c of [client, subscriber]) c.on('error', (err: Error) => logger.debug({ err: err.message }, 'presence redis error'));
  client.defineCommand('presenceAdd', { numberOfKeys: 3, lua: ADD });
  client.defineCommand('presenceRemove', { numberOfKeys: 3, lua: REMOVE });
  client.defineCommand('presenceOccupancy', { numberOfKeys: 4, lua: OCCUPANCY });
  const listeners: Array<(occupancy: Occupancy) => void> = [];
  const subscribe = () => void subscriber.subscribe(CHANNEL).catch((err: Error) => logger.warn({ err: err.message }, 'presence: not subscribed'));
  // On one server, subscribed at every connection (see connectRedis); a cluster's client subscribes again itself.
  if ('url' in target) subscriber.on('ready', subscribe);
  else subscribe();
  subscriber.on('message', (_channel: string, message: string) => {
    const occupancy = JSON.parse(message) as Occupancy;
    for (const listener of listeners) listener(occupancy);
  });

  return {
    async add(room, members) {
      const [z, n, lex] = keys(room);
      // In slices: one script call holds Redis for its whole run.
      for (let i = 0; i < members.length; i += 500) {
        await client.presenceAdd(z!, n!, lex!, instance, ttlMs, ttlMs * 2, ...members.slice(i, i + 500));
      }
    },
    async remove(room, member) {
      const [z, n, lex] = keys(room);
      await client.presenceRemove(z!, n!, lex!, instance, member);
    },
    async occupancy(room, owner, publish) {
      const [count, ownerPresent, outcome] = await client.presenceOccupancy(
        ...keys(room),
        owner,
        publish ? '1' : '0',
        publish?.intervalMs ?? 0,
        CHANNEL,
        room,
      );
      return { occupancy: { room, count: Number(count), ownerPresent: Number(ownerPresent) === 1 }, outcome: outcome as 'read' };
    },
    async members(room, first, after) {
      return client.zrangebylex(keys(room)[2]!, after === null ? '-' : `(${after}`, '+', 'LIMIT', 0, first);
    },
    onPublished(listener) {
      listeners.push(listener);
    },
    async close() {
      await Promise.allSettled([client.quit(), subscriber.quit()]);
    },
  };
}
