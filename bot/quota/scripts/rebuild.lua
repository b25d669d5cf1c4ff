-- Rebuild one organization's month from a PostgreSQL snapshot (SET NX style: a month that a
-- concurrent rebuild already installed is left alone), and install its limits.
-- KEYS: 1 settings, 2 month, 3 settled (month), 4 reservations, 5 leases
-- ARGV: 1 month label, 2 budget, 3 rate, 4 burst, 5 image cost, 6 version, 7 money budget, 8 settings ttl,
--       9 used, 10 overrun, 11 lease deadline, 12 month keys expire at, 13 money spent,
--       14 number of settled job ids, then those ids, then (job id, tokens, money) of open reservations
local label = ARGV[1]

local current = tonumber(redis.call('HGET', KEYS[1], 'version'))
if not current or current <= tonumber(ARGV[6]) then
  redis.call('HSET', KEYS[1], 'budget', ARGV[2], 'rate', ARGV[3], 'burst', ARGV[4], 'image_cost', ARGV[5],
             'version', ARGV[6], 'money', ARGV[7])
  redis.call('EXPIRE', KEYS[1], ARGV[8])
end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end

-- The set exists (with its expiry) from here on, so settling never has to set one.
redis.call('SADD', KEYS[3], '-')
local i = 15
for _ = 1, tonumber(ARGV[14]) do
  local job = ARGV[i]
  i = i + 1
  redis.call('SADD', KEYS[3], job)
  -- Settled in PostgreSQL but not yet in Redis (a process died in between): the ledger has it.
  local held = redis.call('HGET', KEYS[4], job)
  if held and string.match(held, '^%d+:([^:]+)') == label then
    redis.call('HDEL', KEYS[4], job)
    redis.call('ZREM', KEYS[5], job)
  end
end
while i + 2 <= #ARGV do
  local job, tokens, micros = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  i = i + 3
  if redis.call('SISMEMBER', KEYS[3], job) == 0
     and redis.call('HSETNX', KEYS[4], job, tokens .. ':' .. label .. ':' .. micros) == 1 then
    redis.call('ZADD', KEYS[5], 'NX', ARGV[11], job)
  end
end

-- Reserved is whatever this month's open reservations add up to, those Redis kept included.
local reserved, cost_reserved = 0, 0
local all = redis.call('HGETALL', KEYS[4])
for j = 1, #all, 2 do
  local tokens, month, micros = string.match(all[j + 1], '^(%d+):([^:]+):?(%d*)$')
  if month == label then
    reserved = reserved + tonumber(tokens)
    if micros ~= '' then cost_reserved = cost_reserved + tonumber(micros) end
  end
end
redis.call('HSET', KEYS[2], 'used', ARGV[9], 'reserved', reserved, 'overrun', ARGV[10], 'spent', ARGV[13],
           'cost_reserved', cost_reserved)
redis.call('EXPIREAT', KEYS[2], ARGV[12])
redis.call('EXPIREAT', KEYS[3], ARGV[12])
-- The open reservations live at least as long as this month's counters (a later expiry stays);
-- the lease deadline stands in for now, so an expiry within a lease of that is left too.
local at = tonumber(ARGV[12])
for _, key in ipairs({KEYS[4], KEYS[5]}) do
  local left = redis.call('TTL', key)
  if left == -1 or (left >= 0 and tonumber(ARGV[11]) + left < at) then redis.call('EXPIREAT', key, at) end
end
return 1
