/**
 * The index's Lua scripts. Each runs atomically inside Redis, so an event is applied to every live
 * index version (current, and the one a reindex is building) together with its processed-event
 * marker, and a query reads one version consistently. Scripts name their keys from the prefix in
 * ARGV[1] (single Redis, not cluster-safe: a cluster would need one hash tag for the whole prefix).
 *
 * Layout of version N under prefix P (all `P:vN:*`):
 *   docs        hash  id -> {"k": category key, "t": [terms]}   (what to unindex on change)
 *   all         zset  every indexed id, score 0                   (empty query)
 *   term:<t>    zset  id -> weight of term t in the product       (name 10, category 3, description 1)
 *   terms       zset  every indexed term, score 0                 (ZRANGEBYLEX prefix expansion)
 *   price       zset  id -> price amount in minor units           (price range)
 *   cat:<key>   set   ids of the category (key = lower-cased)     (category filter, facets)
 *   cats        hash  category key -> the category as first written (facet values)
 *   instock     set   ids with stock available                    (inStock filter)
 *   rev         hash  id -> revision last applied, kept after removal as a tombstone
 *   stockset    set   ids whose stock an event set while this version was being built
 * and the pointers P:current (N), P:building (N+1 while a reindex runs, with a lease TTL), P:seq.
 */

const prelude = `
local P = ARGV[1]
local function k(v, name) return P .. ':v' .. v .. ':' .. name end
local function currentVersion() return redis.call('GET', P .. ':current') or '1' end
local function liveVersions()
  local cur = currentVersion()
  local b = redis.call('GET', P .. ':building')
  if b and b ~= cur then return { cur, b }, b end
  return { cur }, nil
end

local function removeDoc(v, id)
  local raw = redis.call('HGET', k(v, 'docs'), id)
  if not raw then return end
  local d = cjson.decode(raw)
  for _, t in ipairs(d.t) do
    local tk = k(v, 'term:' .. t)
    redis.call('ZREM', tk, id)
    if redis.call('EXISTS', tk) == 0 then redis.call('ZREM', k(v, 'terms'), t) end
  end
  local ck = k(v, 'cat:' .. d.k)
  redis.call('SREM', ck, id)
  if redis.call('EXISTS', ck) == 0 then redis.call('HDEL', k(v, 'cats'), d.k) end
  redis.call('ZREM', k(v, 'price'), id)
  redis.call('ZREM', k(v, 'all'), id)
  redis.call('HDEL', k(v, 'docs'), id)
end

-- d = { k = category key, c = category as written, p = price, t = { terms }, w = { weights } }
local function addDoc(v, id, d)
  for i, t in ipairs(d.t) do
    redis.call('ZADD', k(v, 'term:' .. t), d.w[i], id)
    redis.call('ZADD', k(v, 'terms'), 0, t)
  end
  redis.call('SADD', k(v, 'cat:' .. d.k), id)
  redis.call('HSETNX', k(v, 'cats'), d.k, d.c)
  redis.call('ZADD', k(v, 'price'), d.p, id)
  redis.call('ZADD', k(v, 'all'), 0, id)
  redis.call('HSET', k(v, 'docs'), id, cjson.encode({ k = d.k, t = d.t }))
end

-- A removed product keeps its revision in rev (tombstone) but has no document.
local function isTombstone(v, id)
  return redis.call('HEXISTS', k(v, 'docs'), id) == 0 and redis.call('HEXISTS', k(v, 'rev'), id) == 1
end
`;

/**
 * ARGV: prefix, processed-marker key ('' = none), marker TTL seconds, JSON ops.
 * Ops: {op:'upsert', id, rev, doc} | {op:'remove', id, rev} | {op:'stock', id, inStock}.
 * A snapshot or removal whose revision is not newer than the one held is ignored.
 * Returns 'duplicate' (marker already set), 'applied' (something changed) or 'ignored'.
 */
export const applyScript =
  prelude +
  `
local mark, ttl = ARGV[2], ARGV[3]
if mark ~= '' and redis.call('EXISTS', mark) == 1 then return 'duplicate' end
local ops = cjson.decode(ARGV[4])
local versions, building = liveVersions()
local outcome = 'ignored'
for _, op in ipairs(ops) do
  for _, v in ipairs(versions) do
    if op.op == 'upsert' or op.op == 'remove' then
      local held = redis.call('HGET', k(v, 'rev'), op.id)
      if (not held) or tonumber(held) < op.rev then
        removeDoc(v, op.id)
        if op.op == 'upsert' then
          addDoc(v, op.id, op.doc)
        else
          redis.call('SREM', k(v, 'instock'), op.id)
        end
        redis.call('HSET', k(v, 'rev'), op.id, op.rev)
        outcome = 'applied'
      end
    elseif op.op == 'stock' then
      if not isTombstone(v, op.id) then
        if op.inStock then redis.call('SADD', k(v, 'instock'), op.id) else redis.call('SREM', k(v, 'instock'), op.id) end
        -- the reindex must not overwrite this with the older answer it may have read from inventory
        if v == building then redis.call('SADD', k(v, 'stockset'), op.id) end
        outcome = 'applied'
      end
    end
  end
end
if mark ~= '' then redis.call('SET', mark, '1', 'EX', ttl) end
return outcome
`;

/**
 * Reindex writes into the version being built. ARGV: prefix, version, JSON ops
 * {op:'put', id, doc} | {op:'stock', id, inStock}. A product an event already wrote (or removed)
 * in that version keeps the event's state; a put takes the revision the current version holds,
 * so older snapshots stay ignored. Fails with REINDEX_LOST when the version is no longer building.
 */
export const reindexPutScript =
  prelude +
  `
local B = ARGV[2]
if redis.call('GET', P .. ':building') ~= B then return redis.error_reply('REINDEX_LOST the version being built changed') end
local cur = currentVersion()
local ops = cjson.decode(ARGV[3])
local written = 0
for _, op in ipairs(ops) do
  if op.op == 'put' then
    if redis.call('HEXISTS', k(B, 'rev'), op.id) == 0 then
      addDoc(B, op.id, op.doc)
      redis.call('HSET', k(B, 'rev'), op.id, redis.call('HGET', k(cur, 'rev'), op.id) or '0')
      written = written + 1
    end
  elseif op.op == 'stock' then
    if redis.call('SISMEMBER', k(B, 'stockset'), op.id) == 0 and not isTombstone(B, op.id) then
      if op.inStock then redis.call('SADD', k(B, 'instock'), op.id) else redis.call('SREM', k(B, 'instock'), op.id) end
    end
  end
end
return written
`;

/**
 * Starts a reindex. ARGV: prefix, lease ms. Picks a fresh version number, names it the building
 * version (with a lease: a crashed reindex stops costing double writes when it expires) and
 * carries the current stock flags over. Returns {current, building}; fails with REINDEX_RUNNING.
 */
export const beginReindexScript =
  prelude +
  `
if redis.call('EXISTS', P .. ':building') == 1 then return redis.error_reply('REINDEX_RUNNING another reindex is building ' .. redis.call('GET', P .. ':building')) end
local cur = currentVersion()
redis.call('SET', P .. ':current', cur, 'NX')
local n = redis.call('INCR', P .. ':seq')
if n <= tonumber(cur) then n = tonumber(cur) + 1 end
while redis.call('EXISTS', k(n, 'rev'), k(n, 'all'), k(n, 'docs'), k(n, 'instock')) > 0 do n = n + 1 end
redis.call('SET', P .. ':seq', n)
redis.call('SET', P .. ':building', n, 'PX', ARGV[2])
if redis.call('EXISTS', k(cur, 'instock')) == 1 then redis.call('SUNIONSTORE', k(n, 'instock'), k(cur, 'instock')) end
return { cur, tostring(n) }
`;

/** ARGV: prefix, version, lease ms. Extends the lease if the version is still the one building; returns 1 or 0. */
export const renewReindexScript =
  prelude +
  `
if redis.call('GET', P .. ':building') ~= ARGV[2] then return 0 end
redis.call('PEXPIRE', P .. ':building', ARGV[3])
return 1
`;

/** ARGV: prefix, version. Makes the built version current in one step; returns the previous version. */
export const switchVersionScript =
  prelude +
  `
if redis.call('GET', P .. ':building') ~= ARGV[2] then return redis.error_reply('REINDEX_LOST the version being built changed') end
local old = currentVersion()
redis.call('SET', P .. ':current', ARGV[2])
redis.call('DEL', P .. ':building')
return old
`;

/** ARGV: prefix, version. Gives up building the version (its keys are deleted afterwards). */
export const abortReindexScript =
  prelude +
  `
if redis.call('GET', P .. ':building') == ARGV[2] then redis.call('DEL', P .. ':building') end
return 1
`;

/**
 * One search over the current version. ARGV: prefix, JSON request, cursor version ('' = none),
 * cursor last id, cursor offset, page size.
 * Request: { w: [{t: [terms], p: [prefixes]}], cap, c: category key|null, min|null, max|null, s: inStock|null }.
 * Every word must match (ZINTERSTORE); a word's terms and prefix expansions are alternatives
 * (ZUNIONSTORE MAX). Scores are negated relevance sums so ascending order is best first, ties by id.
 * Returns { version, total, start, {ids}, {category, count, ...} } or { 'STALE', version }.
 */
export const searchScript =
  prelude +
  `
local q = cjson.decode(ARGV[2])
local cursorVersion, lastId, offset, first = ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local v = currentVersion()
local tmpKeys = {}
local function tmp(name)
  local key = P .. ':tmp:' .. name
  table.insert(tmpKeys, key)
  return key
end
local function cleanup() if #tmpKeys > 0 then redis.call('DEL', unpack(tmpKeys)) end end
local function given(x) return x ~= nil and x ~= cjson.null end

local wordKeys, nothing = {}, false
for i, w in ipairs(q.w) do
  local members, seen = {}, {}
  local function add(term)
    if not seen[term] then
      seen[term] = true
      local tk = k(v, 'term:' .. term)
      if redis.call('EXISTS', tk) == 1 then table.insert(members, tk) end
    end
  end
  for _, t in ipairs(w.t) do add(t) end
  for _, p in ipairs(w.p) do
    for _, t in ipairs(redis.call('ZRANGEBYLEX', k(v, 'terms'), '[' .. p, '[' .. p .. '\\255', 'LIMIT', 0, q.cap)) do add(t) end
  end
  if #members == 0 then nothing = true break end
  if #members == 1 then
    wordKeys[i] = members[1]
  else
    local u = tmp('word' .. i)
    local args = { 'ZUNIONSTORE', u, #members }
    for _, key in ipairs(members) do table.insert(args, key) end
    table.insert(args, 'AGGREGATE')
    table.insert(args, 'MAX')
    redis.call(unpack(args))
    wordKeys[i] = u
  end
end

local res = tmp('result')
if nothing then
  redis.call('DEL', res)
else
  -- One intersection of the words (relevance) with the set filters (weight 0): its cost follows the smallest input.
  local args, weights = { 'ZINTERSTORE', res, 0 }, { 'WEIGHTS' }
  local function input(key, weight)
    table.insert(args, key)
    table.insert(weights, weight)
  end
  for _, key in ipairs(wordKeys) do input(key, -1) end
  -- instock may name products not indexed (yet): an empty query needs a set of indexed ones
  if #wordKeys == 0 and not given(q.c) then input(k(v, 'all'), 0) end
  if given(q.c) then input(k(v, 'cat:' .. q.c), 0) end
  if q.s == true then input(k(v, 'instock'), 0) end
  args[3] = #args - 3
  for _, w in ipairs(weights) do table.insert(args, w) end
  redis.call(unpack(args))
  if q.s == false then redis.call('ZDIFFSTORE', res, 2, res, k(v, 'instock')) end
end
if given(q.min) or given(q.max) then
  local lo = given(q.min) and tostring(q.min) or '-inf'
  local hi = given(q.max) and tostring(q.max) or '+inf'
  local priced = tmp('priced')
  if redis.call('ZCARD', res) <= redis.call('ZCOUNT', k(v, 'price'), lo, hi) then
    -- few results: look up their prices and drop those outside the range
    redis.call('ZINTERSTORE', priced, 2, res, k(v, 'price'), 'WEIGHTS', 0, 1)
    if given(q.min) then redis.call('ZREMRANGEBYSCORE', priced, '-inf', '(' .. lo) end
    if given(q.max) then redis.call('ZREMRANGEBYSCORE', priced, '(' .. hi, '+inf') end
  else
    -- a narrow range: copy it out of the price index
    redis.call('ZRANGESTORE', priced, k(v, 'price'), lo, hi, 'BYSCORE')
  end
  redis.call('ZINTERSTORE', res, 2, res, priced, 'WEIGHTS', 1, 0)
end

local total = redis.call('ZCARD', res)
local start = 0
if lastId ~= '' then
  local rank = redis.call('ZRANK', res, lastId)
  if rank then
    start = rank + 1
  elseif cursorVersion == v then
    start = offset
  else
    cleanup()
    return { 'STALE', v }
  end
end
local ids = {}
if first > 0 and total > 0 then ids = redis.call('ZRANGE', res, start, start + first - 1) end

local facets = {}
if total > 0 then
  local cats = redis.call('HGETALL', k(v, 'cats'))
  for i = 1, #cats, 2 do
    local n = redis.call('ZINTERCARD', 2, res, k(v, 'cat:' .. cats[i]))
    if n > 0 then
      table.insert(facets, cats[i + 1])
      table.insert(facets, n)
    end
  end
end
cleanup()
return { v, total, start, ids, facets }
`;
