-- Sliding-window counter (two fixed windows, the previous one weighted by how much of it still
-- overlaps the sliding window). One atomic round trip per check.
-- KEYS[1]  key prefix of this limit, e.g. "gw:rl:source:sendgrid-main"
-- ARGV[1]  limit (requests or events per window)
-- ARGV[2]  window length in milliseconds
-- ARGV[3]  cost of this request (1, or its number of events)
-- KEYS[2]  optional: the replay-cache key of the request's nonce (see ReplayCache). If it is set,
--          the request repeats one already stored: nothing is counted, and the script returns
--          {2, events the earlier request stored}. So the replay lookup and the limit cost one
--          round trip together, not two.
-- Returns {allowed (1/0), previous window count, current window count, ms elapsed in the window}
-- Time comes from Redis, so every gateway instance shares one clock.
if KEYS[2] then
  local stored = redis.call('GET', KEYS[2])
  if stored then
    return {2, tonumber(stored)}
  end
end
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local index = math.floor(now_ms / window)
local elapsed = now_ms - index * window
local current_key = KEYS[1] .. ':' .. index
local previous_key = KEYS[1] .. ':' .. (index - 1)
local current = tonumber(redis.call('GET', current_key) or '0')
local previous = tonumber(redis.call('GET', previous_key) or '0')
local estimate = previous * (window - elapsed) / window + current
if estimate + cost > limit then
  return {0, previous, current, elapsed}
end
redis.call('INCRBY', current_key, cost)
redis.call('PEXPIRE', current_key, window * 2)
return {1, previous, current + cost, elapsed}
