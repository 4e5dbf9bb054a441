/* format.h: numpy-style text for a matrix, so printed lessons read like the notebook.
 * Follows numpy's defaults for str(array): up to 8 significant fraction digits, trailing zeros trimmed,
 * columns aligned on the decimal point, scientific notation when values span more than 1e3 or reach
 * 1e8 or drop below 1e-4, lines wrapped at 75 characters, and only the 3 first and last rows and columns
 * shown (with "...") for matrices of more than 1000 elements. */
#ifndef INITLAB_FORMAT_H
#define INITLAB_FORMAT_H

#include "matrix.h"

/* Writes the text into buf (at most cap bytes, always NUL-terminated when cap > 0) and returns the
 * length the whole text needs, without the NUL, like snprintf. */
size_t mat_format(char *buf, size_t cap, const Matrix *m);

#endif
