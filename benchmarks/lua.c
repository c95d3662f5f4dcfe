/*
 * lua -- Lua 5.4 through lua_Alloc, one fresh interpreter state per request.
 *
 * Request (the recipe's handleRequest, with Lua doing the allocating):
 * lua_newstate over the request's scope allocator, open only the base,
 * string and table libraries (luaL_requiref; luaL_openlibs would spend most
 * of the request registering io/os/coroutine/...), compile and run a small
 * deterministic handler script that builds `records` records (strings with
 * string.format/rep/upper, tables, table.sort, an index keyed by tag,
 * table.concat, gsub over the JSON-ish body), read back its results
 * (lengths, a hash computed in Lua and a prefix of the body: into the
 * checksum), lua_close. The arena is reset after each request.
 *
 * Hooks: lua_Alloc(ud, ptr, osize, nsize) passes the old size, so the sized
 * entry points of benchmarks/common/hooks.h are used: no header, zero
 * overhead per block. When ptr is NULL, osize is not a size but the type of
 * the object being made (LUA_TSTRING, LUA_TTABLE, ...): it is ignored.
 * nsize == 0 frees (malloc: forwarded with osize; arena: a no-op, Lua's
 * garbage collector then frees into nothing and the arena holds every object
 * the request ever made until the reset: the "avoid when: mixed lifetimes"
 * cost, visible in bytes_reserved). Lua's collector paces itself on its own
 * byte counts, so it does the same work whatever the allocator.
 *
 * Everything runs under lua_pcall, so an allocation failure is a Lua error
 * (counted in failures), never a panic. Lua's string hash seed is random per
 * state, so the script never lets pairs() order reach its results.
 *
 * Args: records per request, requests per run. Items = requests.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdlib.h>

#include "common/hooks.h"
#include "workload.h"

static const ab_workload_args args[] = {{{20, 16}, 2}, {{200, 4}, 2}, {{2000, 1}, 2}, {{0}, 0}};
static const ab_workload_args quick[] = {{{200, 2}, 2}, {{0}, 0}};

static const char script[] =
    "local n, seed = ...\n"
    "local recs, x = {}, seed\n"
    "for i = 1, n do\n"
    "  x = (x * 1103515245 + 12345) % 2147483648\n"
    "  local name = string.format('user%05d_%s', x % 100000, string.rep('ab', x % 7 + 1))\n"
    "  recs[i] = {id = i, name = name, score = x % 1000, tags = {'t' .. (x % 13), 't' .. (x % 7)}}\n"
    "end\n"
    "table.sort(recs, function(a, b)\n"
    "  if a.score ~= b.score then return a.score > b.score end\n"
    "  return a.id < b.id\n"
    "end)\n"
    "local index = {}\n"
    "for _, r in ipairs(recs) do\n"
    "  for _, t in ipairs(r.tags) do\n"
    "    local bucket = index[t]\n"
    "    if not bucket then bucket = {}; index[t] = bucket end\n"
    "    bucket[#bucket + 1] = r.name\n"
    "  end\n"
    "end\n"
    "local parts = {}\n"
    "for i = 1, #recs do\n"
    "  local r = recs[i]\n"
    "  parts[#parts + 1] = string.format('{\"id\":%d,\"name\":\"%s\",\"score\":%d,\"tag\":\"%s\"}',\n"
    "                                    r.id, r.name:upper(), r.score, r.tags[1])\n"
    "end\n"
    "local body = '[' .. table.concat(parts, ',') .. ']'\n"
    "local short, count = body:gsub('\"score\":(%d+)', function(s) return '\"s\":' .. (s * 2) end)\n"
    "local h = 0\n"
    "for i = 1, #short, 3 do h = (h * 31 + short:byte(i)) % 4294967296 end\n"
    "local keys = {}\n"
    "for k in pairs(index) do keys[#keys + 1] = k end\n"
    "table.sort(keys)\n"
    "local total = 0\n"
    "for _, k in ipairs(keys) do total = total + #index[k] * #k + #table.concat(index[k], '|') end\n"
    "return #body, h, total + count, short:sub(1, 80)\n";

typedef struct input {
    int records, requests;
} input;

static void *setup(const ab_workload_args *a) {
    input *in = (input *)malloc(sizeof *in);
    if (in == NULL) return NULL;
    in->records = (int)a->v[0];
    in->requests = (int)a->v[1];
    return in;
}

/* lua_Alloc over the sized entry points. */
static void *lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    ab_hooks *h = (ab_hooks *)ud;
    if (nsize == 0) {
        ab_hooks_sized_free(h, ptr, ptr ? osize : 0);
        return NULL;
    }
    if (ptr == NULL) return ab_hooks_sized_alloc(h, nsize); /* osize: the object's type */
    return ab_hooks_sized_realloc(h, ptr, osize, nsize);
}

typedef struct req {
    int records, seed;
    uint64_t h;
} req;

/* The request's body, run under lua_pcall: libraries, compile, call, read back. */
static int request_main(lua_State *L) {
    req *q = (req *)lua_touserdata(L, 1);
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    lua_pop(L, 3);
    if (luaL_loadbufferx(L, script, sizeof script - 1, "=request", "t") != LUA_OK) return lua_error(L);
    lua_pushinteger(L, q->records);
    lua_pushinteger(L, q->seed);
    lua_call(L, 2, 4);
    for (int i = -4; i <= -2; i++) q->h = ab_hash_u64(q->h, (uint64_t)lua_tointeger(L, i));
    size_t len = 0;
    const char *s = lua_tolstring(L, -1, &len);
    if (s != NULL) q->h = ab_hash_bytes(q->h, s, len);
    return 0;
}

static bool one_request(const void *vin, int i, ab_hooks *h, uint64_t *hash) {
    const input *in = (const input *)vin;
    req q = {in->records, 1000 + i, AB_CHECKSUM_INIT};
    bool ok = false;
    lua_State *L = lua_newstate(lua_alloc, h);
    if (L != NULL) {
        lua_pushcfunction(L, request_main);
        lua_pushlightuserdata(L, &q);
        ok = lua_pcall(L, 1, 0, 0) == LUA_OK;
        lua_close(L);
    }
    *hash = q.h;
    return ok;
}

static ab_run_result run(void *vin, ab_subject *s) {
    return ab_hooks_run_requests(s, vin, ((const input *)vin)->requests, one_request);
}

const ab_workload ab_workload_lua = {
    .name = "lua",
    .item = "requests",
    .describe = "Lua 5.4 via lua_Alloc (sized, no header): per request a fresh state, base/string/table libs, a records script, close",
    .accepts = AB_KIND_ALL_GENERAL,
    .args = args,
    .quick_args = quick,
    .setup = setup,
    .run = run,
    .teardown = free,
};
