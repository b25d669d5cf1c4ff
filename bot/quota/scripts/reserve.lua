-- Reserve tokens for one job: all or nothing across the rate bucket and the monthly budget.
-- KEYS: 1 settings, 2 bucket, 3 month, 4 settled (month), 5 reservations, 6 leases
-- ARGV: 1 job id, 2 tokens, 3 now (epoch s), 4 lease deadline, 5 month label, 6 month keys expire at,
--       7 reservations keep (s)
-- Replies: {'rebuild', what} | {'closed'} | {'granted', tokens, left, level, deadline, replay}
--          | {'denied', reason, left, level, budget, rate, burst}
local job = ARGV[1]
local tokens = tonumber(ARGV[2])
local now = tonumber(ARGV[3])

-- Missing state is never read as "nothing used": the caller rebuilds it from PostgreSQL.
local cfg = redis.call('HMGET', KEYS[1], 'budget', 'rate', 'burst')
if not cfg[1] then return {'rebuild', 'settings'} end
if redis.call('EXISTS', KEYS[3]) == 0 then return {'rebuild', 'month'} end

local held = redis.call('HGET', KEYS[5], job)
if held then
  local deadline = redis.call('ZSCORE', KEYS[6], job) or '0'
  return {'granted', string.match(held, '^(%d+)'), '-1', '-1', deadline, '1'}
end
if redis.call('SISMEMBER', KEYS[4], job) == 1 then return {'closed'} end

local budget, rate, burst = tonumber(cfg[1]), tonumber(cfg[2]), tonumber(cfg[3])
local month = redis.call('HMGET', KEYS[3], 'used', 'reserved')
local left = budget - tonumber(month[1] or '0') - tonumber(month[2] or '0')

local b = redis.call('HMGET', KEYS[2], 'tokens', 'ts')
local level, ts = burst, now
if b[1] then
  level, ts = tonumber(b[1]), tonumber(b[2])
  -- A clock behind the last writer's refills nothing rather than draining the bucket.
  if now > ts then
    level = math.min(burst, level + (now - ts) * rate / 60)
    ts = now
  end
end

local reason = nil
if tokens > left then
  reason = 'budget'
elseif tokens > burst then
  reason = 'burst'
elseif tokens > level then
  reason = 'rate'
end
if reason then
  return {'denied', reason, tostring(left), tostring(level), tostring(budget), tostring(rate), tostring(burst)}
end

level = level - tokens
redis.call('HSET', KEYS[2], 'tokens', level, 'ts', ts, 'rate', rate, 'burst', burst)
-- An idle bucket is full again after this long; letting it expire then costs nothing.
redis.call('EXPIRE', KEYS[2], math.ceil((burst - level) * 60 / rate) + 60)
redis.call('HINCRBY', KEYS[3], 'reserved', tokens)
redis.call('EXPIREAT', KEYS[3], ARGV[6])
redis.call('HSET', KEYS[5], job, tokens .. ':' .. ARGV[5])
redis.call('EXPIRE', KEYS[5], ARGV[7])
redis.call('ZADD', KEYS[6], ARGV[4], job)
redis.call('EXPIRE', KEYS[6], ARGV[7])
return {'granted', tostring(tokens), tostring(left - tokens), tostring(level), ARGV[4], '0'}
