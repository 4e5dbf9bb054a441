/* bind_linalg.c: placeholder until the QR binding lands (owned by the initializers work). */
#include "binding.h"

void il_open_linalg(lua_State *L) { (void)L; }
