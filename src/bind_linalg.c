/* bind_linalg.c: linear-algebra decompositions for Lua.
 *
 *   il.qr(A [, Q, R]) -> Q, R   reduced QR by Householder reflections: A (m x n) = Q R, k = min(m, n),
 *                               Q m x k with orthonormal columns, R k x n upper triangular (see qr.h for
 *                               the sign convention). Q and R, when given, are filled and returned. */
#include "binding.h"
#include "qr.h"

static int l_qr(lua_State *L)
{
    Matrix *A = il_checkmatrix(L, 1);
    size_t m = A->rows, n = A->cols, k = m < n ? m : n;
    lua_settop(L, 3);
    Matrix *Q = il_optout(L, 2, m, k);
    Matrix *R = il_optout(L, 3, k, n);
    luaL_argcheck(L, Q != R, 3, "Q and R must be different matrices");
    /* Scratch space as a userdata: the collector frees it even if a later check raises an error. */
    double *work = (double *)lua_newuserdatauv(L, qr_work_length(m, n) * sizeof(double), 0);
    il_status st = qr_reduced(Q, R, A, work);
    if (st == IL_EVALUE)
        luaL_argerror(L, 1, "A must hold only finite numbers (no inf or nan)");
    il_check_status(L, st, "qr", A, NULL);
    lua_pop(L, 1);
    return 2;
}

static const luaL_Reg linalg_functions[] = {
    {"qr", l_qr},
    {NULL, NULL},
};

void il_open_linalg(lua_State *L) { il_setfuncs(L, linalg_functions); }
