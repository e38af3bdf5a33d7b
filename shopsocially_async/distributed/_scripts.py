"""The two Lua scripts the Redis limiter runs, and the keys they touch.

Both read Redis's own clock (``TIME``), never a client's, so workers on machines whose
clocks disagree still share one schedule. Times are whole microseconds, exact in Lua's
doubles (about 2**50 today, below 2**53). Keys carry the account in a hash tag
(``prefix:{account}:...``) so one account's keys live in one Redis Cluster slot.

``RESERVE`` books the next free send time of one schedule (a GCRA: a slot every ``interval``,
up to ``burst`` at once after a pause) and says how long to sleep for it. It never books a slot
before the account's cooldown ends, and books the first one after it as if the schedule were
empty then (``cooldown + tolerance``), so the end of a cooldown is not a burst. Called again
with the slot the caller slept for (``held``), it lets the caller go if no cooldown has opened
over that slot meanwhile (or says how much longer to sleep if the caller woke early), and
otherwise books a new slot after the cooldown: the re-check after every sleep.

``COOL_DOWN`` extends the account's cooldown to ``max(current end, now + seconds)``.
"""

from __future__ import annotations

__all__ = ["COOL_DOWN", "RESERVE", "cooldown_key", "schedule_key"]

RESERVE = """
-- KEYS[1] the schedule's next free slot (us), KEYS[2] the account's cooldown end (us)
-- ARGV[1] interval (us), ARGV[2] tolerance = (burst - 1) * interval (us),
-- ARGV[3] the slot the caller slept for (us), or 0 for a new booking
-- returns {microseconds to wait (0: send now), the slot (us, Redis clock)}
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local held = tonumber(ARGV[3])
local cooldown = tonumber(redis.call('GET', KEYS[2]) or '0')
if held > 0 and held >= cooldown then
  return {math.max(0, held - now), held}
end
local start = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now, cooldown + tolerance)
local following = start + interval
local ttl_ms = math.ceil((following - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%d', following), 'PX', ttl_ms)
local send_at = math.max(now, start - tolerance)
return {send_at - now, send_at}
"""

COOL_DOWN = """
-- KEYS[1] the account's cooldown end (us); ARGV[1] the cooldown (us)
-- returns the cooldown's end (us, Redis clock) after this call
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local seconds = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + seconds <= current then
  return current
end
local ttl_ms = math.ceil(seconds / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%d', now + seconds), 'PX', ttl_ms)
return now + seconds
"""


def schedule_key(prefix: str, account: str, category: str) -> str:
    """The key holding one limit category's next free slot."""
    return f"{prefix}:{{{account}}}:schedule:{category}"


def cooldown_key(prefix: str, account: str) -> str:
    """The key holding the end of the account's cooldown (shared by every category)."""
    return f"{prefix}:{{{account}}}:cooldown"
