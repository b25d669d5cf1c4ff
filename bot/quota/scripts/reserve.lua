-- Reserve tokens for one job: all or nothing across the rate bucket and the monthly budget.
-- KEYS: 1 settings, 2 bucket, 3 month, 4 settled (month), 5 reservations, 6 leases
-- ARGV: 1 job id, 2 tokens, 3 now (epoch s), 4 lease (s), 5 the month keys' expiry (epoch s),
--       6 money to reserve (millionths of the currency; 0 when unpriced)
-- Replies: tokens (an integer: granted) | {'replayed', tokens, lease deadline} | {'rebuild', what} | {'closed'}
--          | {'denied', reason, left, level, budget, rate, burst, money left, money budget}
-- (The common answer is a bare integer: the cheapest reply to send and to parse.)
local job = ARGV[1]
local tokens = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local micros = tonumber(ARGV[6] or '0')

-- Keep a key until at least `at` (epoch s); an expiry already later is left alone.
local function keep_until(key, at)
  local left = redis.call('TTL', key)
  if left < 0 or now + left < at then redis.call('EXPIREAT', key, at) end
end

-- Missing state is never read as "nothing used": the caller rebuilds it from PostgreSQL.
local cfg = redis.call('HMGET', KEYS[1], 'budget', 'rate', 'burst', 'money')
if not cfg[1] then return {'rebuild', 'settings'} end
local month = redis.call('HMGET', KEYS[3], 'used', 'reserved', 'spent', 'cost_reserved')
if not month[1] then return {'rebuild', 'month'} end

-- The reservation remembers its month (the month key's suffix): that month is charged when it settles.
-- Written first, since it also tells a repeat for the same job; a refusal takes it back.
-- The money reserved rides along as a third field: settling gives it back.
if redis.call('HSETNX', KEYS[5], job, ARGV[2] .. ':' .. string.match(KEYS[3], 'month:(.+)$') .. ':' .. micros) == 0 then
  local held = redis.call('HGET', KEYS[5], job)
  return {'replayed', string.match(held, '^(%d+)'), redis.call('ZSCORE', KEYS[6], job) or '0'}
end
if redis.call('SISMEMBER', KEYS[4], job) == 1 then
  redis.call('HDEL', KEYS[5], job)
  return {'closed'}
end

local budget, rate, burst = tonumber(cfg[1]), tonumber(cfg[2]), tonumber(cfg[3])
local left = budget - tonumber(month[1]) - tonumber(month[2])
-- A money budget of -1 (or none known) is no money budget.
local money = tonumber(cfg[4] or '-1')
local money_left = money - tonumber(month[3] or '0') - tonumber(month[4] or '0')

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
elseif money >= 0 and micros > money_left then
  reason = 'money'
elseif tokens > burst then
  reason = 'burst'
elseif tokens > level then
  reason = 'rate'
end
if reason then
  redis.call('HDEL', KEYS[5], job)
  return {'denied', reason, tostring(left), tostring(level), tostring(budget), tostring(rate), tostring(burst),
          tostring(money_left), tostring(money)}
end

-- The bucket carries its own rate and burst so settling can refill it without the settings.
redis.call('HSET', KEYS[2], 'tokens', level - tokens, 'ts', ts, 'rate', rate, 'burst', burst)
-- A missing bucket reads as a full one, so it may go once it would have refilled.
redis.call('EXPIRE', KEYS[2], math.ceil((burst - level + tokens) * 60 / rate) + 60)
redis.call('HINCRBY', KEYS[3], 'reserved', tokens)
if micros > 0 then redis.call('HINCRBY', KEYS[3], 'cost_reserved', micros) end
local lease = tonumber(ARGV[4])
redis.call('ZADD', KEYS[6], now + lease, job)
-- No key may outlive every expiry (an evicting Redis would drop keys without one first, or never
-- the rest): the open reservations live as long as the month counting them, and always past the lease.
local kept = math.max(tonumber(ARGV[5]), math.ceil(now + 2 * lease))
keep_until(KEYS[5], kept)
keep_until(KEYS[6], kept)
return tokens
