import type Redis from 'ioredis';
import { withScripts } from '../redis/redis-scripts';

/**
 * Every change of presence as one Lua script, so that Redis applies it whole: the status, the language
 * sets matching reads, her sockets and her grace period can never disagree, whichever nodes act at once.
 * KEYS get the client's prefix from ioredis; the language sets' keys are built inside the script from the
 * prefix passed as ARGV[1] (a single Redis, not a cluster). ARGV[2] is always the interpreter id.
 */
const SETS = `
local prefix, id = ARGV[1], ARGV[2]
local function unlist(langs)
  if langs then
    for l in string.gmatch(langs, '[^,]+') do
      redis.call('SREM', prefix .. 'presence:available:' .. l, id)
      redis.call('SREM', prefix .. 'presence:oncall:' .. l, id)
    end
  end
  redis.call('SREM', prefix .. 'presence:available', id)
end
-- kind: 'available' (at her console) or 'oncall' (reachable by push only, whether or not a console is open).
local function list(langs, kind)
  if langs then
    for l in string.gmatch(langs, '[^,]+') do redis.call('SADD', prefix .. 'presence:' .. (kind or 'available') .. ':' .. l, id) end
  end
  redis.call('SADD', prefix .. 'presence:available', id)
end
-- Listed as her status says: available at a console that is connected (no grace period running), or on call. 1 if listed.
local function list_as(status, langs, hash)
  if status == 'available' and redis.call('HEXISTS', hash, 'down') == 0 then
    list(langs)
  elseif status == 'on_call' then
    list(langs, 'oncall')
  else
    return 0
  end
  return 1
end
`;

/**
 * KEYS: hash, missed. ARGV: prefix, id, status, languages, since. Available, she is listed only while connected; on
 * call, she is listed whatever her sockets (the offer reaches her phone by push).
 */
const SET = `${SETS}
local status, langs, since = ARGV[3], ARGV[4], ARGV[5]
unlist(redis.call('HGET', KEYS[1], 'languages'))
redis.call('HSET', KEYS[1], 'status', status, 'languages', langs, 'since', since)
if status == 'available' or status == 'on_call' then redis.call('DEL', KEYS[2]) end
list_as(status, langs, KEYS[1])
return status`;

/**
 * A socket of hers connected. KEYS: hash, sockets, connected, down. ARGV: prefix, id, socket id.
 * Returns {status, epoch of the grace period this ends or ''}.
 */
const CONNECT = `${SETS}
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[3], id)
local epoch = redis.call('HGET', KEYS[1], 'down')
local status = redis.call('HGET', KEYS[1], 'status') or 'offline'
if epoch then
  redis.call('HDEL', KEYS[1], 'down', 'downSince')
  redis.call('ZREM', KEYS[4], id)
  if status == 'available' then list(redis.call('HGET', KEYS[1], 'languages')) end
end
return {status, epoch or ''}`;

/**
 * A socket of hers went away. KEYS: hash, sockets, connected, down. ARGV: prefix, id, socket id, epoch, now (ms).
 * When it was her last one, her grace period starts (under `epoch`): she keeps her status, but is not listed
 * as available, so nothing is offered to her. Returns 1 then, else 0.
 */
const DISCONNECT = `${SETS}
if redis.call('SREM', KEYS[2], ARGV[3]) == 0 then return 0 end
if redis.call('SCARD', KEYS[2]) > 0 then return 0 end
redis.call('SREM', KEYS[3], id)
-- On call, her console was never how offers reach her: closing it changes nothing.
if redis.call('HGET', KEYS[1], 'status') == 'on_call' then return 0 end
redis.call('HSET', KEYS[1], 'down', ARGV[4], 'downSince', ARGV[5])
redis.call('ZADD', KEYS[4], ARGV[5], id)
unlist(redis.call('HGET', KEYS[1], 'languages'))
return 1`;

/**
 * Her grace period is over. KEYS: hash, sockets, down. ARGV: prefix, id, epoch ('' for any), cutoff (ms), since.
 * Only the grace period that is still running (same epoch, or one that started before the cutoff) ends,
 * and only if no socket of hers came back: then she is offline and 1 is returned. A reconnection that
 * reached Redis first ended the grace period already, and this returns 0.
 */
const GRACE_OVER = `${SETS}
local down = redis.call('HGET', KEYS[1], 'down')
if not down then return 0 end
if ARGV[3] ~= '' then
  if down ~= ARGV[3] then return 0 end
elseif tonumber(redis.call('HGET', KEYS[1], 'downSince') or '0') > tonumber(ARGV[4]) then
  return 0
end
if redis.call('SCARD', KEYS[2]) > 0 then return 0 end
redis.call('HDEL', KEYS[1], 'down', 'downSince')
redis.call('ZREM', KEYS[3], id)
unlist(redis.call('HGET', KEYS[1], 'languages'))
redis.call('HSET', KEYS[1], 'status', 'offline', 'since', ARGV[5])
return 1`;

/**
 * An offer she let ring out. KEYS: hash, missed. ARGV: prefix, id, limit, ttl (s), since, limit on call. At her
 * status's limit she is set away: returns 1 if she was available, 2 if on call.
 */
const MISSED = `${SETS}
local n = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[4])
local status = redis.call('HGET', KEYS[1], 'status')
if (status == 'available' and n >= tonumber(ARGV[3])) or (status == 'on_call' and n >= tonumber(ARGV[6])) then
  unlist(redis.call('HGET', KEYS[1], 'languages'))
  redis.call('HSET', KEYS[1], 'status', 'away', 'since', ARGV[5])
  if status == 'on_call' then return 2 end
  return 1
end
return 0`;

/**
 * A roster import changed her languages. KEYS: hash. ARGV: prefix, id, languages. The hash keeps them for her next
 * listing (coming back within her grace period lists her from it); listed now, she moves to their sets at once.
 * Returns 1 if she is listed (she can be rung), else 0 (nothing is written when presence never heard of her).
 */
const RELIST = `${SETS}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
unlist(redis.call('HGET', KEYS[1], 'languages'))
redis.call('HSET', KEYS[1], 'languages', ARGV[3])
return list_as(status, ARGV[3], KEYS[1])`;

/**
 * Every registered socket, for the sweep, in one round trip. KEYS: connected. ARGV: prefix.
 * Returns a flat list: interpreter id, socket id, interpreter id, socket id, ...
 */
const SOCKETS = `
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  for _, s in ipairs(redis.call('SMEMBERS', ARGV[1] .. 'presence:sockets:' .. id)) do
    out[#out + 1] = id
    out[#out + 1] = s
  end
end
return out`;

export interface PresenceScripts {
  presenceSockets(connected: string, prefix: string): Promise<string[]>;
  presenceSet(hash: string, missed: string, prefix: string, id: string, status: string, languages: string, since: string): Promise<string>;
  presenceRelist(hash: string, prefix: string, id: string, languages: string): Promise<number>;
  presenceConnect(
    hash: string,
    sockets: string,
    connected: string,
    down: string,
    prefix: string,
    id: string,
    socketId: string,
  ): Promise<[string, string]>;
  presenceDisconnect(
    hash: string,
    sockets: string,
    connected: string,
    down: string,
    prefix: string,
    id: string,
    socketId: string,
    epoch: string,
    now: number,
  ): Promise<number>;
  presenceGraceOver(
    hash: string,
    sockets: string,
    down: string,
    prefix: string,
    id: string,
    epoch: string,
    cutoff: number,
    since: string,
  ): Promise<number>;
  presenceMissed(
    hash: string,
    missed: string,
    prefix: string,
    id: string,
    limit: number,
    ttl: number,
    since: string,
    limitOnCall: number,
  ): Promise<number>;
}

export function definePresenceScripts(redis: Redis): Redis & PresenceScripts {
  return withScripts<PresenceScripts>(redis, {
    presenceSet: { keys: 2, lua: SET },
    presenceRelist: { keys: 1, lua: RELIST },
    presenceConnect: { keys: 4, lua: CONNECT },
    presenceDisconnect: { keys: 4, lua: DISCONNECT },
    presenceGraceOver: { keys: 3, lua: GRACE_OVER },
    presenceMissed: { keys: 2, lua: MISSED },
    presenceSockets: { keys: 1, lua: SOCKETS },
  });
}
