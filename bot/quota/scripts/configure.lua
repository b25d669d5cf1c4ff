-- Install an organization's limits unless Redis already holds a newer version of them.
-- KEYS: 1 settings
-- ARGV: 1 budget, 2 rate, 3 burst, 4 image cost, 5 version, 6 money budget (millionths; -1: none), 7 ttl (s)
local current = tonumber(redis.call('HGET', KEYS[1], 'version'))
if current and current > tonumber(ARGV[5]) then return 0 end
redis.call('HSET', KEYS[1], 'budget', ARGV[1], 'rate', ARGV[2], 'burst', ARGV[3], 'image_cost', ARGV[4],
           'version', ARGV[5], 'money', ARGV[6])
-- Short-lived on purpose: a change that could not reach Redis (it was down) shows up within one ttl.
redis.call('EXPIRE', KEYS[1], ARGV[7])
return 1
