/* binding.h: what every bind_*.c file shares: the matrix userdata type and the argument checks.
 * Only bind_*.c and main.c include Lua headers; the rest of the core knows nothing of Lua. */
#ifndef INITLAB_BINDING_H
#define INITLAB_BINDING_H

#include <lua.h>
#include <lauxlib.h>
#include "matrix.h"

#define IL_MATRIX_TYPE "initlab.matrix"

/* The matrix at stack index `idx`, or a Lua error "bad argument #idx to 'f' (matrix expected, got T)". */
Matrix *il_checkmatrix(lua_State *L, int idx);
/* The matrix at `idx`, or NULL when it is anything else. */
Matrix *il_tomatrix(lua_State *L, int idx);
/* Pushes a new zero-filled rows x cols matrix; refuses absurd sizes with a Lua error before allocating. */
Matrix *il_newmatrix(lua_State *L, size_t rows, size_t cols);
/* A size argument: a non-negative integer no larger than IL_MAX_DIM, or a Lua error saying so. */
size_t il_checksize(lua_State *L, int idx, const char *what);

/* The optional result argument (Torch's `res`): when argument `idx` is a matrix, checks that it is
 * rows x cols, pushes it and returns it; when it is none or nil, pushes a new matrix. Either way the
 * result ends on top of the stack, so the caller can `return 1`. */
Matrix *il_optout(lua_State *L, int idx, size_t rows, size_t cols);

/* Raises "fname: shapes RxC and RxC do not align"-style errors for a failed kernel status.
 * `a` and `b` (either may be NULL) are the operands named in the message. Returns only when st is IL_OK. */
void il_check_status(lua_State *L, il_status st, const char *what, const Matrix *a, const Matrix *b);

/* Registers functions into the table on top of the stack (luaL_setfuncs without upvalues). */
#define il_setfuncs(L, fns) luaL_setfuncs((L), (fns), 0)

/* Each bind_*.c file adds its functions to the module table on top of the stack. */
void il_open_matrix(lua_State *L);
void il_open_layers(lua_State *L);
void il_open_random(lua_State *L);
void il_open_linalg(lua_State *L);
void il_open_fused(lua_State *L);

/* The module entry point: require "initlab" (linked into the host, and built as initlab.so). */
int luaopen_initlab(lua_State *L);

#endif
