/* format.c: numpy's array2string for 2-D float arrays (floatmode "maxprec", precision 8). */
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRECISION 8
#define EDGE_ITEMS 3
#define SUMMARY_THRESHOLD 1000
#define LINE_WIDTH 75

/* An append-only text that counts what it could not store, so one pass measures and writes. */
typedef struct Text {
    char *buf;
    size_t cap, len;
} Text;

static void put(Text *t, const char *s, size_t n)
{
    if (t->len < t->cap) {
        size_t room = t->cap - t->len;
        memcpy(t->buf + t->len, s, n < room ? n : room);
    }
    t->len += n;
}
static void puts_(Text *t, const char *s) { put(t, s, strlen(s)); }

/* How every element is laid out: decided once from the visible finite values. */
typedef struct Layout {
    int exp_format;   /* scientific notation */
    int pad_left;     /* width of the integer part (sign included) */
    int pad_right;    /* width of the fraction part (positional), or what follows the point (scientific) */
    int exp_digits;   /* digits of the exponent (scientific) */
    int precision;    /* fraction digits of the mantissa (scientific) */
} Layout;

/* Visible positions along a dimension of n items: all, or the EDGE_ITEMS first and last. */
static int summarized(size_t n, int summarize) { return summarize && n > 2 * EDGE_ITEMS; }
static size_t visible_count(size_t n, int summarize) { return summarized(n, summarize) ? 2 * EDGE_ITEMS : n; }
static size_t visible_index(size_t k, size_t n, int summarize)
{
    return (summarized(n, summarize) && k >= EDGE_ITEMS) ? n - 2 * EDGE_ITEMS + k : k;
}

/* Removes trailing zeros after the decimal point, keeping the point itself ("1.50" -> "1.5", "2.00" -> "2."). */
static void trim_zeros(char *s)
{
    char *dot = strchr(s, '.');
    if (!dot) return;
    char *end = s + strlen(s) - 1;
    while (end > dot && *end == '0') *end-- = '\0';
}

/* Shortest text of x with at most PRECISION fraction digits. */
static void positional(char *out, size_t cap, double x)
{
    snprintf(out, cap, "%.*f", PRECISION, x);
    trim_zeros(out);
}

/* Mantissa (at most PRECISION fraction digits, trimmed) and exponent of x in scientific notation. */
static void scientific(char *mant, size_t cap, int *exponent, double x)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*e", PRECISION, x);
    char *e = strchr(tmp, 'e');
    *exponent = (int)strtol(e + 1, NULL, 10);
    *e = '\0';
    trim_zeros(tmp);
    snprintf(mant, cap, "%s", tmp);
}

static int count_digits(int v)
{
    int d = 1;
    for (v = v < 0 ? -v : v; v >= 10; v /= 10) d++;
    return d;
}

static Layout choose_layout(const Matrix *m, int summarize)
{
    Layout L = {0, 0, 0, 2, 0};
    size_t vr = visible_count(m->rows, summarize), vc = visible_count(m->cols, summarize);
    double max_abs = 0, min_abs = INFINITY;
    int any_finite = 0, any_nonfinite = 0, any_neg_inf = 0;
    for (size_t a = 0; a < vr; a++)
        for (size_t b = 0; b < vc; b++) {
            double x = MAT_AT(m, visible_index(a, m->rows, summarize), visible_index(b, m->cols, summarize));
            if (!isfinite(x)) {
                any_nonfinite = 1;
                if (isinf(x) && x < 0) any_neg_inf = 1;
                continue;
            }
            any_finite = 1;
            double ax = fabs(x);
            if (ax != 0) {
                if (ax > max_abs) max_abs = ax;
                if (ax < min_abs) min_abs = ax;
            }
        }
    if (max_abs > 0 && (max_abs >= 1e8 || min_abs < 1e-4 || max_abs / min_abs > 1e3)) L.exp_format = 1;

    char s[64];
    for (size_t a = 0; any_finite && a < vr; a++)
        for (size_t b = 0; b < vc; b++) {
            double x = MAT_AT(m, visible_index(a, m->rows, summarize), visible_index(b, m->cols, summarize));
            if (!isfinite(x)) continue;
            int exponent = 0;
            if (L.exp_format) scientific(s, sizeof s, &exponent, x);
            else positional(s, sizeof s, x);
            char *dot = strchr(s, '.');
            int ilen = (int)(dot - s), flen = (int)strlen(dot + 1);
            if (ilen > L.pad_left) L.pad_left = ilen;
            if (L.exp_format) {
                if (flen > L.precision) L.precision = flen;
                if (count_digits(exponent) > L.exp_digits) L.exp_digits = count_digits(exponent);
            } else if (flen > L.pad_right) {
                L.pad_right = flen;
            }
        }
    if (L.exp_format) L.pad_right = L.exp_digits + 2 + L.precision;
    if (any_nonfinite) {
        int offset = L.pad_right + 1; /* +1 for the decimal point */
        int inflen = 3 + any_neg_inf;
        if (3 - offset > L.pad_left) L.pad_left = 3 - offset;
        if (inflen - offset > L.pad_left) L.pad_left = inflen - offset;
    }
    return L;
}

/* One element, padded to the common width. */
static void format_element(char *out, size_t cap, double x, const Layout *L)
{
    if (!isfinite(x)) {
        const char *word = isnan(x) ? "nan" : x > 0 ? "inf" : "-inf";
        int width = L->pad_left + L->pad_right + 1;
        snprintf(out, cap, "%*s", width, word);
        return;
    }
    char s[128];
    if (L->exp_format) {
        char tmp[48];
        snprintf(tmp, sizeof tmp, "%.*e", L->precision, x);
        char *e = strchr(tmp, 'e');
        int exponent = (int)strtol(e + 1, NULL, 10);
        *e = '\0';
        if (!strchr(tmp, '.')) strcat(tmp, ".");
        char digits[16];
        int nd = snprintf(digits, sizeof digits, "%d", exponent < 0 ? -exponent : exponent);
        if (snprintf(s, sizeof s, "%se%c%.*s%s", tmp, exponent < 0 ? '-' : '+', L->exp_digits > nd ? L->exp_digits - nd : 0,
                 "000", digits) >= (int)sizeof s)
            return; /* cannot happen: a double's text is short */
        char *dot = strchr(s, '.');
        if (snprintf(out, cap, "%*s%s", (int)(L->pad_left - (dot - s)), "", s) >= (int)cap) out[cap - 1] = '\0';
        return;
    }
    positional(s, sizeof s, x);
    char *dot = strchr(s, '.');
    int ilen = (int)(dot - s), flen = (int)strlen(dot + 1);
    if (snprintf(out, cap, "%*s%s%*s", L->pad_left - ilen, "", s, L->pad_right - flen, "") >= (int)cap)
        out[cap - 1] = '\0';
}

/* The line being filled; its first `skip` characters are the indent that the opening bracket replaces
 * on a row's first line. */
typedef struct Line {
    char buf[LINE_WIDTH + 128];
    size_t len, skip;
} Line;

/* Appends `word` to the current line, wrapping first when the line would pass `width`
 * (numpy's _extendLine: a line holding only its indent never wraps). */
static void extend_line(Text *t, Line *ln, const char *word, size_t width, const char *indent)
{
    size_t wl = strlen(word), il = strlen(indent);
    char *line = ln->buf;
    size_t *line_len = &ln->len;
    if (*line_len + wl > width && *line_len > il) {
        size_t end = *line_len;
        while (end > 0 && line[end - 1] == ' ') end--;
        put(t, line + ln->skip, end - ln->skip);
        ln->skip = 0;
        puts_(t, "\n");
        memcpy(line, indent, il);
        *line_len = il;
    }
    memcpy(line + *line_len, word, wl);
    *line_len += wl;
}

static void format_row(Text *t, const Matrix *m, size_t i, const Layout *L, int summarize)
{
    /* numpy: hanging indent "  " inside "[[", width 75 - 1 for each "]" to come */
    const char *indent = "  ";
    const size_t width = LINE_WIDTH - 2;
    char word[96];
    Line ln = {.len = 2, .skip = 2};
    memcpy(ln.buf, indent, 2);
    size_t vc = visible_count(m->cols, summarize);
    for (size_t b = 0; b < vc; b++) {
        if (summarized(m->cols, summarize) && b == EDGE_ITEMS) {
            extend_line(t, &ln, "...", width, indent);
            ln.buf[ln.len++] = ' ';
        }
        format_element(word, sizeof word, MAT_AT(m, i, visible_index(b, m->cols, summarize)), L);
        extend_line(t, &ln, word, width, indent);
        if (b + 1 < vc) ln.buf[ln.len++] = ' ';
    }
    put(t, ln.buf + ln.skip, ln.len - ln.skip);
}

size_t mat_format(char *buf, size_t cap, const Matrix *m)
{
    Text t = {buf, cap, 0};
    int summarize = mat_numel(m) > SUMMARY_THRESHOLD;
    Layout L = choose_layout(m, summarize);
    puts_(&t, "[");
    size_t vr = visible_count(m->rows, summarize);
    for (size_t a = 0; a < vr; a++) {
        if (a > 0) puts_(&t, "\n ");
        if (summarized(m->rows, summarize) && a == EDGE_ITEMS) puts_(&t, "...\n ");
        puts_(&t, "[");
        format_row(&t, m, visible_index(a, m->rows, summarize), &L, summarize);
        puts_(&t, "]");
    }
    puts_(&t, "]");
    if (cap > 0) buf[t.len < cap ? t.len : cap - 1] = '\0';
    return t.len;
}
