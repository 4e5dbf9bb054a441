/* bind_module.c: require "initlab" — the C core's functions, and the Lua layers loaded on first use.
 *
 * il.<name> for a name the C core does not define loads the Lua module initlab.<name> (lua/initlab/<name>.lua)
 * the first time it is read, so `il.data.circles{...}` works without a separate require, and start-up
 * loads nothing it does not use. */
#include "binding.h"

#include <string.h>

#ifndef INITLAB_VERSION
#define INITLAB_VERSION "dev"
#endif

/* Names whose module file differs from the field: initlab/init.lua would collide with Lua's
 * "?/init.lua" convention (it would load as the package "initlab" itself). */
static const char *module_name(const char *key)
{
    if (strcmp(key, "init") == 0) return "initializers";
    return key;
}

/* __index(il, key): require("initlab." .. key) when such a module exists on package.path. */
static int lazy_submodule(lua_State *L)
{
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    const char *key = lua_tostring(L, 2);
    const char *name = module_name(key);
    lua_getglobal(L, "package");
    if (!lua_istable(L, -1)) return 0;
    lua_getfield(L, -1, "searchpath");
    lua_pushfstring(L, "initlab.%s", name);
    lua_getfield(L, -3, "path");
    if (!lua_isfunction(L, -3) || !lua_isstring(L, -1)) return 0;
    lua_call(L, 2, 1);
    if (lua_isnil(L, -1)) return 0; /* no such module: il.<key> is nil, as for any missing field */
    lua_getglobal(L, "require");
    lua_pushfstring(L, "initlab.%s", name);
    lua_call(L, 1, 1); /* errors inside the module propagate with their own message */
    lua_pushvalue(L, -1);
    lua_setfield(L, 1, key); /* cache: the next read finds it directly */
    return 1;
}

int luaopen_initlab(lua_State *L)
{
    lua_newtable(L);
    il_open_matrix(L);
    il_open_layers(L);
    il_open_random(L);
    il_open_linalg(L);
    il_open_fused(L);
    lua_pushliteral(L, "initlab " INITLAB_VERSION);
    lua_setfield(L, -2, "_VERSION");
    lua_newtable(L);
    lua_pushcfunction(L, lazy_submodule);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    return 1;
}
