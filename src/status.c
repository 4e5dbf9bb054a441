/* status.c: words for the kernel status codes (the binding adds the operation and the shapes). */
#include "status.h"

const char *il_status_message(il_status st)
{
    switch (st) {
    case IL_OK: return "ok";
    case IL_ESHAPE: return "shapes do not align";
    case IL_EVALUE: return "invalid argument";
    case IL_EEMPTY: return "empty matrix";
    case IL_ENOMEM: return "not enough memory";
    case IL_ESTALE: return "what it was computed from has changed since";
    }
    return "unknown status";
}
