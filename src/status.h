/* status.h: the result of every core kernel.
 * Kernels never print, exit or allocate; they report what went wrong with one of these codes and the
 * binding layer turns it into a Lua error that names the operation and the operands. */
#ifndef INITLAB_STATUS_H
#define INITLAB_STATUS_H

typedef enum il_status {
    IL_OK = 0,
    IL_ESHAPE,    /* operand shapes do not align or do not broadcast */
    IL_EVALUE,    /* an argument is outside its domain (negative size, bad option...) */
    IL_EEMPTY,    /* a reduction over no elements (min/max/argmax of an empty matrix) */
    IL_ENOMEM,    /* an allocation made by a non-kernel helper failed */
    IL_ESTALE     /* a value asked for after what it was computed from changed (fused.h's dense_recompute) */
} il_status;

const char *il_status_message(il_status st);

#endif
