-- Close one job's reservation with what it really used (0 for a release), exactly once.
-- The ledger row in PostgreSQL is written first; this applies the same numbers to Redis.
-- KEYS: 1 bucket, 2 month, 3 settled (month), 4 reservations, 5 leases
-- ARGV: 1 job id, 2 actual, 3 overrun, 4 now, 5 the money it cost (millionths)
-- Replies: refund (an integer: applied, the reservation closed) | {'applied', refund} (applied, Redis held
--          no reservation) | {'done'} | {'month', label} | {'rebuild', 'month'}
local job = ARGV[1]
local actual = tonumber(ARGV[2])

if redis.call('EXISTS', KEYS[2]) == 0 then return {'rebuild', 'month'} end

local held = redis.call('HGET', KEYS[4], job)
local tokens, label, micros
if held then
  tokens, label, micros = string.match(held, '^(%d+):([^:]+):?(%d*)$')
  if label ~= string.match(KEYS[2], 'month:(.+)$') then return {'month', label} end
end
-- The month's rebuild created this set (with the month's expiry); membership makes this exactly-once.
if redis.call('SADD', KEYS[3], job) == 0 then return {'done'} end

local reserved = 0
if held then
  reserved = tonumber(tokens)
  redis.call('HDEL', KEYS[4], job)
  redis.call('ZREM', KEYS[5], job)
  redis.call('HINCRBY', KEYS[2], 'reserved', -reserved)
  if micros ~= '' and micros ~= '0' then redis.call('HINCRBY', KEYS[2], 'cost_reserved', -tonumber(micros)) end
end
-- Without a reservation here (Redis lost it before this month was rebuilt) the use is still
-- charged: the rebuild did not count it, since its ledger row came after the rebuild's snapshot.
redis.call('HINCRBY', KEYS[2], 'used', actual)
if ARGV[3] ~= '0' then redis.call('HINCRBY', KEYS[2], 'overrun', ARGV[3]) end
if ARGV[5] and ARGV[5] ~= '0' then redis.call('HINCRBY', KEYS[2], 'spent', ARGV[5]) end

local refund = reserved - actual
if held and refund ~= 0 then
  -- Unused tokens go back to the rate bucket; an overrun is charged to it (it may go below zero).
  -- No bucket (Redis lost it) reads as a full one: a refund cannot raise it, an overrun is forgiven.
  local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'rate', 'burst')
  if b[1] then
    local now = tonumber(ARGV[4])
    local level, ts, rate, burst = tonumber(b[1]), tonumber(b[2]), tonumber(b[3]), tonumber(b[4])
    if now > ts then
      level = math.min(burst, level + (now - ts) * rate / 60)
      ts = now
    end
    local after = math.min(burst, level + refund)
    redis.call('HSET', KEYS[1], 'tokens', after, 'ts', ts)
    -- An overrun takes the bucket lower: it must stay until it has refilled (missing reads as full).
    if rate > 0 then redis.call('EXPIRE', KEYS[1], math.ceil((burst - after) * 60 / rate) + 60) end
  end
end
if held then return refund end
return {'applied', refund}
