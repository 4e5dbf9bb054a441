/* main.c: the initlab host, a small stand-alone Lua 5.4 interpreter with the initlab module built in.
 *
 *   initlab [options] [script [args]]
 *
 * It behaves like Lua's own `lua` program: the script sees `arg` (arg[0] the script, arg[1..] its arguments,
 * negative indices the interpreter and options), -e and -l run in the order given, -i enters the prompt after
 * the script, an error prints a traceback and exits with status 1. What initlab adds:
 *   - require "initlab" returns the module linked into this executable (package.preload), so a stray
 *     initlab.so on the cpath cannot shadow it; for -e and the prompt the global `il` holds it too;
 *   - package.path reaches the bundled lua/ directory, found relative to the executable;
 *   - the prompt prints tables readably (lua/initlab/repl.lua), completes names with Tab, keeps a history
 *     and survives Ctrl-C both while typing (drops the line) and while computing ("interrupted!").
 *
 * The bundled lua/ directory is the first of:
 *   $INITLAB_LUA_DIR; <exe dir>/lua (the build tree, where build/lua links to the sources);
 *   <exe dir>/../share/initlab/lua (after cmake --install); INITLAB_INSTALL_LUA_DIR (compile time).
 * Its entries "<dir>/?.lua;<dir>/?/init.lua" join the package.path that Lua built from LUA_PATH_5_4/LUA_PATH:
 *   no variable set:     bundled entries first, then Lua's defaults;
 *   a path with ";;":    the user's entries keep their place (so they can override a bundled module) and the
 *                        bundled entries go where ";;" put Lua's defaults, just before them;
 *   a path without ";;": the user's entries, then the bundled ones (the user dropped Lua's defaults, but the
 *                        host still needs its own modules, e.g. initlab.repl for the prompt).
 */
#define _POSIX_C_SOURCE 200809L /* readlink, getline, strdup, sigaction, select */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "binding.h"
#include "blas.h"

#define PROGNAME "initlab"
#define PROMPT "> "
#define PROMPT_MORE ">> "
#define REPL_CHUNKNAME "=stdin"
#define HISTORY_MAX_ENTRIES 1000
#define REPL_MODULE "initlab.repl"
#define REPL_MODULE_KEY "initlab.host.repl" /* registry slot caching require(REPL_MODULE), or false */

/* ---- messages ------------------------------------------------------------------------------------ */

static void print_usage(FILE *out)
{
    fprintf(out,
            "usage: " PROGNAME " [options] [script [args]]\n"
            "options:\n"
            "  -e code     run the Lua code\n"
            "  -l mod      require module 'mod' into the global 'mod'\n"
            "  -l g=mod    require module 'mod' into the global 'g'\n"
            "  -i          start the interactive prompt after the script\n"
            "  -v, --version  print the version\n"
            "  -h, --help     print this help\n"
            "  --          end of options: the next argument is the script\n"
            "  -           run the standard input as the script\n"
            "Without a script or -e, " PROGNAME " starts the prompt when the standard input is a terminal\n"
            "and runs it as a script otherwise. The script sees its arguments in 'arg' and in '...'.\n"
            "Environment: INITLAB_LUA_DIR (bundled Lua modules), INITLAB_HISTORY (history file, empty for\n"
            "none; default ~/.initlab_history), LUA_PATH_5_4 or LUA_PATH (';;' stands for the defaults).\n");
    fflush(out);
}

/* The version, and the BLAS that large products use (opened here to find out: see blas.h). */
static void print_version(void)
{
    const char *blas = !il_blas_built()          ? "not built in"
                       : !il_blas_available()    ? "not found, large products use initlab's kernels"
                       : il_blas_corename()      ? il_blas_corename()
                                                 : "loaded";
    printf(PROGNAME " %s (%s; OpenBLAS: %s)\n", INITLAB_VERSION, LUA_RELEASE, blas);
    fflush(stdout);
}

/* An error message on stderr; `who` is NULL at the prompt, where the program name is noise. */
static void message(const char *who, const char *msg)
{
    if (who != NULL)
        fprintf(stderr, "%s: ", who);
    fprintf(stderr, "%s\n", msg);
    fflush(stderr);
}

/* Prints and pops the error message left by a failed call; returns `status` for chaining. */
static int report_as(lua_State *L, int status, const char *who)
{
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        message(who, msg != NULL ? msg : "(error object is not a string)");
        lua_pop(L, 1);
    }
    return status;
}

static int report(lua_State *L, int status) { return report_as(L, status, PROGNAME); }

/* ---- running code: traceback and Ctrl-C -------------------------------------------------------- */

/* The state running Lua code, for the SIGINT handler; NULL while none runs. */
static lua_State *volatile running_state = NULL;
static volatile sig_atomic_t got_interrupt = 0;

static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

/* A signal handler may not touch the Lua state beyond lua_sethook, which Lua allows for exactly this:
 * the hook then raises the error at the next instruction of Lua code. */
static void on_sigint(int sig)
{
    (void)sig;
    got_interrupt = 1;
    if (running_state != NULL)
        lua_sethook(running_state, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* `once`: a second Ctrl-C kills the process, the way out of a C kernel that never returns to Lua. */
static void catch_sigint(int once)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = once ? SA_RESETHAND : 0; /* no SA_RESTART: a blocked select() must wake up */
    sigaction(SIGINT, &sa, NULL);
}

static void default_sigint(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

/* Turns any error object into a message with a stack traceback. */
static int message_handler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1; /* an error object that describes itself: keep its own words */
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Calls the function below `nargs` arguments on the stack, with a traceback on error and Ctrl-C armed. */
static int docall(lua_State *L, int nargs, int nresults)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    got_interrupt = 0;
    running_state = L;
    catch_sigint(1);
    int status = lua_pcall(L, nargs, nresults, base);
    default_sigint();
    running_state = NULL;
    if (got_interrupt) /* a Ctrl-C that came too late to stop anything must not stop the next call */
        lua_sethook(L, NULL, 0, 0);
    lua_remove(L, base);
    return status;
}

static int run_chunk(lua_State *L, int status)
{
    if (status == LUA_OK)
        status = docall(L, 0, 0);
    return report(L, status) == LUA_OK;
}

static int run_string(lua_State *L, const char *code)
{
    return run_chunk(L, luaL_loadbuffer(L, code, strlen(code), "=(command line)"));
}

/* -l mod or -l g=mod: global g (or mod) = require "mod". */
static int run_require(lua_State *L, const char *spec)
{
    const char *eq = strchr(spec, '=');
    const char *modname = eq != NULL ? eq + 1 : spec;
    lua_getglobal(L, "require");
    lua_pushstring(L, modname);
    int status = docall(L, 1, 1);
    if (status == LUA_OK) {
        const char *global = lua_pushlstring(L, spec, eq != NULL ? (size_t)(eq - spec) : strlen(spec));
        lua_insert(L, -2);
        lua_setglobal(L, global); /* pops the module; the name stays on the stack, so `global` lives */
        lua_pop(L, 1);
    }
    return report(L, status) == LUA_OK;
}

/* ---- the environment a script sees --------------------------------------------------------------- */

static void preload_initlab(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_initlab);
    lua_setfield(L, -2, "initlab");
    lua_pop(L, 1);
}

static int is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Pushes the directory of the bundled Lua modules (the order is at the top of this file). */
static void push_lua_dir(lua_State *L)
{
    const char *env = getenv("INITLAB_LUA_DIR");
    if (env != NULL && env[0] != '\0') {
        lua_pushstring(L, env);
        return;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0 && (size_t)n < sizeof exe - 1) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0'; /* exe now names the executable's directory, already free of symlinks */
            if (is_directory(lua_pushfstring(L, "%s/lua", exe)))
                return;
            lua_pop(L, 1);
            slash = strrchr(exe, '/');
            if (slash != NULL) {
                *slash = '\0'; /* ... and now its parent, the installation prefix */
                if (is_directory(lua_pushfstring(L, "%s/share/initlab/lua", exe)))
                    return;
                lua_pop(L, 1);
            }
        }
    }
    lua_pushstring(L, INITLAB_INSTALL_LUA_DIR);
}

/* Where package.path takes the bundled entries: see the top of this file. Lua's setpath has put the
 * text of the user's path before ";;", then ";" (when that text is not empty), then its defaults. */
static size_t bundled_position(const char *built, const char *user)
{
    if (user == NULL)
        return 0;
    const char *mark = strstr(user, ";;");
    if (mark == NULL)
        return strlen(built);
    size_t prefix = (size_t)(mark - user);
    if (prefix == 0)
        return 0;
    if (strlen(built) <= prefix || strncmp(built, user, prefix) != 0 || built[prefix] != ';')
        return 0; /* not the shape expected (another Lua?): bundled entries first is the safe choice */
    return prefix + 1;
}

static void setup_package_path(lua_State *L)
{
    const char *user = getenv("LUA_PATH_5_4");
    if (user == NULL)
        user = getenv("LUA_PATH");
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "path");
    const char *built = lua_tostring(L, -1);
    if (built == NULL)
        built = "";
    push_lua_dir(L);
    const char *dir = lua_tostring(L, -1);
    size_t at = bundled_position(built, user);
    size_t len = strlen(built);

    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addlstring(&b, built, at);
    if (at > 0 && built[at - 1] != ';')
        luaL_addchar(&b, ';');
    luaL_addstring(&b, dir);
    luaL_addstring(&b, "/?.lua;");
    luaL_addstring(&b, dir);
    luaL_addstring(&b, "/?/init.lua");
    if (at < len)
        luaL_addchar(&b, ';');
    luaL_addstring(&b, built + at);
    luaL_pushresult(&b);
    lua_setfield(L, -4, "path");
    lua_pop(L, 3); /* dir, old path, package */
}

/* arg[0] is the script (or the interpreter when there is none), arguments after it count up from 1 and
 * the interpreter and its options count down from -1. */
static void make_arg_table(lua_State *L, int argc, char **argv, int script)
{
    lua_createtable(L, argc > script ? argc - script - 1 : 0, script + 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
}

/* The global `il`, for -e one-liners and the prompt. */
static int set_il_global(lua_State *L)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "initlab");
    int status = docall(L, 1, 1);
    if (status == LUA_OK)
        lua_setglobal(L, "il");
    return report(L, status) == LUA_OK;
}

/* ---- command line -------------------------------------------------------------------------------- */

typedef struct Options {
    int script;       /* argv index of the script, 0 when there is none */
    int script_stdin; /* the script is "-": the standard input */
    int options_end;  /* argv index where the options stop */
    int has_code;     /* some -e */
    int interactive;  /* -i */
    int version;      /* -v */
    int help;         /* -h */
} Options;

/* Takes the argument of -e or -l, attached ("-eprint(1)") or next; returns 0 when missing. */
static const char *option_argument(int argc, char **argv, int *i)
{
    if (argv[*i][2] != '\0')
        return argv[*i] + 2;
    if (*i + 1 >= argc || argv[*i + 1] == NULL)
        return NULL;
    return argv[++*i];
}

/* First pass: checks every option before anything runs. Prints the problem and returns 0 on a bad one. */
static int parse_options(int argc, char **argv, Options *opt)
{
    memset(opt, 0, sizeof *opt);
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') {
            opt->script = i;
            break;
        }
        if (strcmp(a, "-") == 0) {
            opt->script = i;
            opt->script_stdin = 1;
            break;
        }
        if (strcmp(a, "--") == 0) {
            if (i + 1 < argc)
                opt->script = i + 1; /* even "-": after "--" it is a file name */
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            opt->help = 1;
        else if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0)
            opt->version = 1;
        else if (strcmp(a, "-i") == 0)
            opt->interactive = 1;
        else if (strncmp(a, "-e", 2) == 0 || strncmp(a, "-l", 2) == 0) {
            if (option_argument(argc, argv, &i) == NULL) {
                fprintf(stderr, PROGNAME ": option '%.2s' needs an argument\n", a);
                return 0;
            }
            if (a[1] == 'e')
                opt->has_code = 1;
        }
        else {
            fprintf(stderr, PROGNAME ": unrecognized option '%s'\n", a);
            return 0;
        }
    }
    opt->options_end = i;
    return 1;
}

/* Second pass: runs -e and -l in the order given. */
static int run_options(lua_State *L, int argc, char **argv, const Options *opt)
{
    for (int i = 1; i < opt->options_end; i++) {
        char kind = argv[i][1];
        if (argv[i][0] != '-' || (kind != 'e' && kind != 'l'))
            continue;
        const char *value = option_argument(argc, argv, &i);
        if (!(kind == 'e' ? run_string(L, value) : run_require(L, value)))
            return 0;
    }
    return 1;
}

static int run_script(lua_State *L, int argc, char **argv, const Options *opt)
{
    const char *name = opt->script_stdin ? NULL : argv[opt->script];
    int status = luaL_loadfile(L, name);
    if (status == LUA_OK) {
        int nargs = argc - opt->script - 1;
        luaL_checkstack(L, nargs + 3, "too many arguments to script");
        for (int i = opt->script + 1; i < argc; i++)
            lua_pushstring(L, argv[i]);
        status = docall(L, nargs, 0);
    }
    return report(L, status) == LUA_OK;
}

/* ---- the prompt: reading lines ------------------------------------------------------------------- */

/* Pushes the cached initlab.repl module, loading it on first use; pushes false when it cannot load. */
static int push_repl_module(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, REPL_MODULE_KEY) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_getglobal(L, "require");
        lua_pushliteral(L, REPL_MODULE);
        if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_istable(L, -1)) {
            const char *why = lua_isstring(L, -1) ? lua_tostring(L, -1) : "it did not return a table";
            fprintf(stderr, PROGNAME ": results print plainly: cannot load " REPL_MODULE ": %s\n", why);
            lua_pop(L, 1);
            lua_pushboolean(L, 0);
        }
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, REPL_MODULE_KEY);
    }
    return lua_istable(L, -1);
}

/* Pushes initlab.repl's function `name`, or nil. */
static int push_repl_function(lua_State *L, const char *name)
{
    if (push_repl_module(L))
        lua_getfield(L, -1, name);
    else
        lua_pushnil(L);
    lua_remove(L, -2);
    return lua_isfunction(L, -1);
}

/* Tab completion: readline hands over the word before the cursor, initlab.repl.complete names the
 * candidates (a list of strings), and readline's generator protocol walks that list. */
static lua_State *completion_state = NULL;
static int completion_list = 0; /* stack index of the candidate list while readline walks it */
static lua_Integer completion_next = 1;

static char *next_completion(const char *text, int state)
{
    (void)text;
    lua_State *L = completion_state;
    if (state == 0)
        completion_next = 1;
    lua_rawgeti(L, completion_list, completion_next++);
    const char *s = lua_tostring(L, -1);
    char *copy = s != NULL ? strdup(s) : NULL; /* readline frees the matches */
    lua_pop(L, 1);
    return copy;
}

/* complete(text) -> list, run under lua_pcall: an error must not unwind through readline. */
static int list_completions(lua_State *L)
{
    if (!push_repl_function(L, "complete"))
        return 0;
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    return 1;
}

static char **complete_word(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1;      /* never fall back to file names */
    rl_completion_append_character = '\0'; /* after a table name the user wants '.', not ' ' */
    lua_State *L = completion_state;
    if (L == NULL || !lua_checkstack(L, 8))
        return NULL;
    int top = lua_gettop(L);
    char **matches = NULL;
    lua_pushcfunction(L, list_completions);
    lua_pushstring(L, text);
    if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_istable(L, -1)) {
        completion_list = lua_gettop(L);
        matches = rl_completion_matches(text, next_completion);
    }
    lua_settop(L, top);
    return matches;
}

/* History lives in $INITLAB_HISTORY (empty: none) or ~/.initlab_history; failures are ignored, since
 * a read-only home must not stop the prompt. */
static const char *history_path(lua_State *L)
{
    const char *env = getenv("INITLAB_HISTORY");
    if (env != NULL)
        return env[0] != '\0' ? env : NULL;
    const char *home = getenv("HOME");
    if (home == NULL || home[0] == '\0')
        return NULL;
    const char *path = lua_pushfstring(L, "%s/.initlab_history", home);
    lua_setfield(L, LUA_REGISTRYINDEX, "initlab.host.history"); /* keeps the string alive */
    return path;
}

static void remember(const char *history, const char *chunk)
{
    if (chunk[strspn(chunk, " \t\r\n")] == '\0')
        return;
    add_history(chunk);
    if (history != NULL && append_history(1, history) != 0)
        write_history(history); /* no file yet: append cannot create one */
}

/* The line readline's callback interface has finished, and whether it has. */
static char *accepted_line = NULL;
static int line_done = 0;

static void on_line(char *line)
{
    accepted_line = line;
    line_done = 1;
    rl_callback_handler_remove(); /* before readline shows the prompt again */
}

enum { READ_OK, READ_EOF, READ_INTERRUPTED };

/* Reads one line from the terminal. The callback interface (rather than readline()) lets Ctrl-C drop the
 * line being typed and give a fresh prompt instead of killing the host. */
static int read_tty_line(const char *prompt, char **line)
{
    accepted_line = NULL;
    line_done = 0;
    got_interrupt = 0;
    catch_sigint(0);
    rl_callback_handler_install(prompt, on_line);
    int result = READ_OK;
    while (!line_done) {
        if (got_interrupt) {
            rl_free_line_state();
            rl_callback_sigcleanup();
            rl_replace_line("", 0);
            rl_callback_handler_remove();
            fputs("\n", stdout);
            result = READ_INTERRUPTED;
            break;
        }
        fd_set in;
        FD_ZERO(&in);
        FD_SET(STDIN_FILENO, &in);
        if (select(STDIN_FILENO + 1, &in, NULL, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue; /* Ctrl-C (seen above) or a window resize */
            rl_callback_handler_remove();
            break;
        }
        rl_callback_read_char();
    }
    default_sigint();
    fflush(stdout);
    *line = accepted_line;
    if (result == READ_OK && accepted_line == NULL)
        result = READ_EOF;
    return result;
}

/* Reads one line from a pipe or file: no prompt and no echo, so piped sessions print only results. */
static int read_plain_line(char **line)
{
    size_t cap = 0;
    *line = NULL;
    fflush(stdout); /* results of the previous line come before anything the next one writes to stderr */
    ssize_t n = getline(line, &cap, stdin);
    if (n < 0) {
        free(*line);
        *line = NULL;
        return READ_EOF;
    }
    if (n > 0 && (*line)[n - 1] == '\n')
        (*line)[n - 1] = '\0';
    return READ_OK;
}

/* Pushes the line read; _PROMPT and _PROMPT2, when set, replace the prompts (as in lua). */
static int push_line(lua_State *L, int tty, int first)
{
    char *line = NULL;
    int result;
    if (tty) {
        int top = lua_gettop(L);
        lua_getglobal(L, first ? "_PROMPT" : "_PROMPT2");
        const char *prompt = lua_isnil(L, -1) ? (first ? PROMPT : PROMPT_MORE) : luaL_tolstring(L, -1, NULL);
        result = read_tty_line(prompt, &line);
        lua_settop(L, top);
    }
    else
        result = read_plain_line(&line);
    if (result == READ_OK)
        lua_pushstring(L, line);
    free(line);
    return result;
}

/* ---- the prompt: compiling, running, printing ---------------------------------------------------- */

/* A syntax error at the end of the text means the chunk goes on in the next line. */
static int is_incomplete(lua_State *L, int status)
{
    static const char eof_mark[] = "<eof>";
    const size_t mark_len = sizeof eof_mark - 1;
    if (status != LUA_ERRSYNTAX)
        return 0;
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    return len >= mark_len && strcmp(msg + len - mark_len, eof_mark) == 0;
}

enum { CHUNK_EOF = -1, CHUNK_INTERRUPTED = -2 };

/* Reads a chunk and pushes it compiled (or its syntax error): first as "return <line>" so that an
 * expression shows its values, then as a statement, reading more lines while it is incomplete. */
static int read_chunk(lua_State *L, int tty, const char *history)
{
    int got = push_line(L, tty, 1);
    if (got != READ_OK)
        return got == READ_EOF ? CHUNK_EOF : CHUNK_INTERRUPTED;
    const char *line = lua_tostring(L, -1);
    const char *as_expr = lua_pushfstring(L, "return %s;", line);
    int status = luaL_loadbuffer(L, as_expr, strlen(as_expr), REPL_CHUNKNAME);
    if (status == LUA_OK) {
        lua_remove(L, -2);
        remember(history, line);
        lua_remove(L, -2);
        return LUA_OK;
    }
    lua_pop(L, 2); /* the error and the "return" text */
    for (;;) {
        size_t len;
        const char *chunk = lua_tolstring(L, -1, &len);
        status = luaL_loadbuffer(L, chunk, len, REPL_CHUNKNAME);
        if (!is_incomplete(L, status))
            break;
        got = push_line(L, tty, 0);
        if (got == READ_INTERRUPTED) {
            lua_pop(L, 2);
            return CHUNK_INTERRUPTED;
        }
        if (got == READ_EOF)
            break; /* the input ended inside the chunk: report its syntax error */
        lua_remove(L, -2); /* the "<eof>" error */
        lua_pushliteral(L, "\n");
        lua_insert(L, -2);
        lua_concat(L, 3);
    }
    remember(history, lua_tostring(L, -2));
    lua_remove(L, -2);
    return status;
}

/* Shows the values left above `base` with initlab.repl.show (tables readably), else with print. */
static void print_results(lua_State *L, int base)
{
    int n = lua_gettop(L) - base;
    if (n <= 0)
        return;
    luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
    if (!push_repl_function(L, "show")) {
        lua_pop(L, 1);
        lua_getglobal(L, "print");
    }
    lua_insert(L, base + 1);
    report_as(L, docall(L, n, 0), NULL);
}

static void setup_readline(lua_State *L)
{
    rl_readline_name = PROGNAME; /* for $if initlab in ~/.inputrc */
    rl_catch_signals = 0;        /* Ctrl-C is ours: see read_tty_line */
    rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{(,+-*/%^#~[]}";
    rl_attempted_completion_function = complete_word;
    completion_state = L;
    using_history();
    stifle_history(HISTORY_MAX_ENTRIES);
}

static void run_repl(lua_State *L, int tty)
{
    const char *history = NULL;
    if (tty) {
        setup_readline(L);
        history = history_path(L);
        if (history != NULL) {
            read_history(history);
            history_truncate_file(history, HISTORY_MAX_ENTRIES); /* here, since os.exit skips the end */
        }
        printf(PROGNAME " %s (%s) \xe2\x80\x94 il = require 'initlab' is preloaded; "
               "help() for a tour, Ctrl-D to quit\n",
               INITLAB_VERSION, LUA_RELEASE);
        fflush(stdout);
    }
    /* help() and the pretty printer come from initlab.repl; an error loading it was reported there. */
    int top = lua_gettop(L);
    if (push_repl_function(L, "help") && lua_getglobal(L, "help") == LUA_TNIL) {
        lua_pop(L, 1);
        lua_setglobal(L, "help");
    }
    lua_settop(L, top);

    int base = lua_gettop(L);
    int status;
    while ((status = read_chunk(L, tty, history)) != CHUNK_EOF) {
        if (status == LUA_OK)
            status = docall(L, 0, LUA_MULTRET);
        if (status == LUA_OK)
            print_results(L, base);
        else if (status != CHUNK_INTERRUPTED)
            report_as(L, status, NULL);
        lua_settop(L, base);
    }
    if (tty) {
        fputs("\n", stdout); /* Ctrl-D left the cursor after the prompt */
        fflush(stdout);
        completion_state = NULL;
    }
}

/* ---- main ---------------------------------------------------------------------------------------- */

/* Runs inside a protected call so that even an out-of-memory error while setting up is reported. */
static int protected_main(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = (char **)lua_touserdata(L, 2);
    const Options *opt = (const Options *)lua_touserdata(L, 3);
    lua_settop(L, 0);
    luaL_checkversion(L);
    luaL_openlibs(L);
    preload_initlab(L);
    setup_package_path(L);
    make_arg_table(L, argc, argv, opt->script);

    int stdin_tty = isatty(STDIN_FILENO);
    int nothing_to_run = opt->script == 0 && !opt->has_code && !opt->version;
    int repl = opt->interactive || (nothing_to_run && stdin_tty);
    if (opt->version)
        print_version();
    if ((opt->has_code || repl) && !set_il_global(L))
        return 0;
    if (!run_options(L, argc, argv, opt))
        return 0;
    if (opt->script != 0 && !run_script(L, argc, argv, opt))
        return 0;
    if (repl)
        run_repl(L, stdin_tty);
    else if (nothing_to_run && !run_chunk(L, luaL_loadfile(L, NULL)))
        return 0;
    lua_pushboolean(L, 1);
    return 1;
}

int main(int argc, char **argv)
{
    Options opt;
    if (!parse_options(argc, argv, &opt)) {
        print_usage(stderr);
        return EXIT_FAILURE;
    }
    if (opt.help) {
        print_usage(stdout);
        return EXIT_SUCCESS;
    }
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        message(PROGNAME, "cannot create the Lua state: not enough memory");
        return EXIT_FAILURE;
    }
    lua_pushcfunction(L, protected_main);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    lua_pushlightuserdata(L, &opt);
    int status = lua_pcall(L, 3, 1, 0);
    int ok = status == LUA_OK && lua_toboolean(L, -1);
    report(L, status);
    lua_close(L);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
