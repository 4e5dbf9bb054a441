# End-to-end checks of the initlab host (src/main.c): options, arg, exit codes, tracebacks, the prompt
# through a pipe and through a real terminal, require "initlab", package.path with LUA_PATH, and the
# layout after cmake --install.
#
# usage (from the source root, as ctest runs it): bash tests/host/test_host.sh <initlab> <build-dir>
# Prints "ok - ..." / "not ok - ..." per check; exits 1 when any check failed.
set -u

if [[ $# -ne 2 ]]; then
    echo "usage: bash $0 <initlab-executable> <build-dir>" >&2
    exit 2
fi
if [[ ! -x "$1" ]]; then
    echo "not ok - the host executable $1 exists (build it first)"
    exit 1
fi
exe=$(realpath "$1")
build=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
sanitize=${INITLAB_SANITIZE:-0}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A clean, known environment: no user paths, and a home of our own so no check touches ~/.initlab_history.
unset INITLAB_LUA_DIR INITLAB_HISTORY LUA_PATH LUA_PATH_5_4 LUA_CPATH LUA_CPATH_5_4 LUA_INIT LUA_INIT_5_4
export HOME="$tmp/home"
mkdir -p "$HOME" "$tmp/elsewhere"

failures=0
pass() { echo "ok - $1"; }
fail() {
    echo "not ok - $1"
    shift
    local line
    for line in "$@"; do echo "#   $line"; done
    failures=$((failures + 1))
}

# run CMD...: runs with no input; sets $out, $err and $status.
run() {
    out=$("$@" </dev/null 2>"$tmp/stderr")
    status=$?
    err=$(<"$tmp/stderr")
}
# feed INPUT CMD...: runs with INPUT on a pipe.
feed() {
    local input=$1
    shift
    out=$(printf '%s' "$input" | "$@" 2>"$tmp/stderr")
    status=$?
    err=$(<"$tmp/stderr")
}

shown() { printf '%q' "$1" | head -c 600; }
expect_out() { # name expected-stdout [expected-status]
    local want_status=${3:-0}
    if [[ "$out" == "$2" && $status -eq $want_status ]]; then
        pass "$1"
    else
        fail "$1" "expected status $want_status and stdout $(shown "$2")" \
            "got status $status and stdout $(shown "$out")" "stderr: $(shown "$err")"
    fi
}
expect_status() { # name status
    if [[ $status -eq $2 ]]; then pass "$1"; else fail "$1" "expected status $2, got $status" "stderr: $(shown "$err")"; fi
}
expect_in() { # name which(out|err) substring...
    local name=$1 which=$2 text
    shift 2
    [[ $which == out ]] && text=$out || text=$err
    local piece
    for piece in "$@"; do
        if [[ "$text" != *"$piece"* ]]; then
            fail "$name" "missing from std$which: $(shown "$piece")" "std$which was: $(shown "$text")"
            return
        fi
    done
    pass "$name"
}

# ---- version, help, bad options ----------------------------------------------------------------

run "$exe" --version
version_re='^initlab [0-9]+\.[0-9]+\.[0-9]+ \(Lua 5\.4\.[0-9]+; OpenBLAS: [^)]+\)$'
if [[ $status -eq 0 && "$out" =~ $version_re ]]; then pass "--version"; else fail "--version" "got: $(shown "$out")"; fi
version_line=$out
run "$exe" -v
expect_out "-v prints the same line" "$version_line"

run "$exe" --help
expect_status "--help exits 0" 0
expect_in "--help shows the usage" out "usage: initlab" "-e code" "-i" "-l mod" "--version"
run "$exe" -h
expect_in "-h shows the usage" out "usage: initlab"

run "$exe" -x
expect_status "an unknown option exits 1" 1
expect_in "an unknown option is named, with the usage" err "unrecognized option '-x'" "usage: initlab"
expect_out "an unknown option prints nothing on stdout" "" 1
run "$exe" --bogus script.lua
expect_in "an unknown long option is refused before anything runs" err "unrecognized option '--bogus'"
run "$exe" -e
expect_status "-e without code exits 1" 1
expect_in "-e without code says so" err "'-e' needs an argument"

# ---- -e, -l, scripts and arg --------------------------------------------------------------------

run "$exe" -e 'print(1 + 1)'
expect_out "-e runs code" "2"
run "$exe" -e 'x = 20' -e 'print(x + 1)' -e'print("attached")'
expect_out "several -e run in order, attached or not" $'21\nattached'
run "$exe" -e 'print(type(il), il == require "initlab")'
expect_out "-e sees the global il = require 'initlab'" $'table\ttrue'

cat >"$tmp/args.lua" <<'EOF'
print(arg[0] == ARGV0, arg[1], arg[2], #arg, select("#", ...), ...)
for i = -1, -3, -1 do io.write(tostring(arg[i]), i > -3 and " " or "\n") end
EOF
run "$exe" -e "ARGV0 = '$tmp/args.lua'" "$tmp/args.lua" one 'two words'
expect_out "the script sees arg and ..." \
    $'true\tone\ttwo words\t2\t2\tone\ttwo words\n'"ARGV0 = '$tmp/args.lua' -e $exe"
run "$exe" -e "ARGV0 = '$tmp/args.lua'" -- "$tmp/args.lua" -e -x
expect_out "-- ends the options: later ones go to the script" \
    $'true\t-e\t-x\t2\t2\t-e\t-x\n'"-- ARGV0 = '$tmp/args.lua' -e"

cat >"$tmp/noil.lua" <<'EOF'
local m = require "initlab"
print(type(m), il, package.preload.initlab ~= nil)
EOF
run "$exe" "$tmp/noil.lua"
expect_out "a script requires initlab itself (no global il)" $'table\tnil\ttrue'
mkdir -p "$tmp/cpath"
echo "not a shared object" >"$tmp/cpath/initlab.so"
LUA_CPATH="$tmp/cpath/?.so" run "$exe" "$tmp/noil.lua"
expect_out "require 'initlab' is the linked module, whatever the cpath holds" $'table\tnil\ttrue'

feed 'print("from stdin", arg[0], ...)' "$exe" - a b
expect_out "- runs stdin with arguments" $'from stdin\t-\ta\tb'
feed 'print("piped script", ...)' "$exe"
expect_out "no arguments and a pipe: stdin runs as a script" $'piped script'

mkdir -p "$tmp/mods"
printf 'return { name = "mymod" }\n' >"$tmp/mods/mymod.lua"
LUA_PATH="$tmp/mods/?.lua;;" run "$exe" -l mymod -l m2=mymod -e 'print(mymod.name, m2 == mymod)'
expect_out "-l mod and -l g=mod set globals" $'mymod\ttrue'
run "$exe" -l no_such_module_anywhere
expect_status "-l with a missing module exits 1" 1

# ---- exit codes and errors ----------------------------------------------------------------------

run "$exe" -e 'os.exit(3)'
expect_status "os.exit(3) exits 3" 3
run "$exe" -e 'os.exit(true)'
expect_status "os.exit(true) exits 0" 0
run "$exe" -e 'os.exit(false, true)'
expect_status "os.exit(false, true) exits 1" 1

cat >"$tmp/boom.lua" <<'EOF'
local function inner() error("boom from inner") end
local function outer() inner() end
print("before")
outer()
print("never")
EOF
run "$exe" "$tmp/boom.lua"
expect_out "a script error exits 1 after the output so far" "before" 1
expect_in "a script error prints the message and a traceback" err \
    "initlab: $tmp/boom.lua:1: boom from inner" "stack traceback:" "boom.lua:2: in" "boom.lua:4: in main chunk"
run "$exe" -e 'error({})'
expect_in "a non-string error object is described" err "(error object is a table value)"
run "$exe" -e 'error(setmetatable({}, {__tostring = function() return "custom error" end}))'
expect_in "an error object with __tostring uses it" err "custom error"
printf 'print("unfinished"\n' >"$tmp/syntax.lua"
run "$exe" "$tmp/syntax.lua"
expect_status "a syntax error exits 1" 1
expect_in "a syntax error names the place" err "syntax.lua:"
run "$exe" "$tmp/does-not-exist.lua"
expect_status "a missing script exits 1" 1
expect_in "a missing script is named" err "cannot open" "does-not-exist.lua"
run "$exe" -i "$tmp/boom.lua"
expect_status "-i with a failing script exits 1 without a prompt" 1

# SIGINT (Ctrl-C) stops a running script with "interrupted!" and a traceback.
"$exe" -e 'print("ready") io.stdout:flush() while true do end' >"$tmp/int.out" 2>"$tmp/int.err" </dev/null &
spinner=$!
for _ in $(seq 200); do [[ -s "$tmp/int.out" ]] && break; sleep 0.05; done
kill -INT "$spinner" 2>/dev/null
wait "$spinner"
status=$?
err=$(<"$tmp/int.err")
expect_status "SIGINT stops a script with status 1" 1
expect_in "SIGINT says interrupted! with a traceback" err "interrupted!" "stack traceback:"

# ---- the prompt through a pipe -----------------------------------------------------------------

session='1+1
error("oops")
function f(a)
  return a * 2
end
f(21)
{1, 2, a = 3}
x = 5
x
print("printed")
"a string"
1, "two", nil
setmetatable({}, {__tostring = function() return "custom!" end})
type(il), il == require "initlab"
for i = 1, 2 do
  print(i)
end
'
feed "$session" "$exe" -i
expect_out "-i through a pipe: expressions print, statements do not, no banner or prompts" \
    $'2\n42\n{1, 2, a = 3}\n5\nprinted\na string\n1\ttwo\tnil\ncustom!\ntable\ttrue\n1\n2'
expect_in "an error at the prompt prints a traceback and the session goes on" err \
    'stdin:1: oops' "stack traceback:"

printf 'greeting = "hi from the script"\n' >"$tmp/greet.lua"
feed 'greeting' "$exe" -i "$tmp/greet.lua"
expect_out "-i script: the prompt sees the script's globals" "hi from the script"
feed $'function broken(\n' "$exe" -i
expect_in "an unfinished chunk at end of input is a syntax error" err "<eof>"
expect_status "... and the session still ends with 0" 0
feed $'os.exit(4)\n' "$exe" -i
expect_status "os.exit at the prompt" 4
feed $'help()\n' "$exe" -i
expect_in "help() at the prompt lists the module" out "The initlab module (il):" "matmul"

run "$exe" "$here/repl_cases.lua"
if [[ $status -eq 0 ]]; then pass "initlab.repl cases (tests/host/repl_cases.lua)"; else
    fail "initlab.repl cases (tests/host/repl_cases.lua)" "$out" "$err"; fi

# ---- package.path and the bundled lua/ directory ------------------------------------------------

luadir="$(dirname "$exe")/lua"
bundled="$luadir/?.lua;$luadir/?/init.lua"
default_path=$(INITLAB_LUA_DIR=/nowhere "$exe" -e 'io.write((package.path:gsub("^/nowhere/%?%.lua;/nowhere/%?/init%.lua;", "")))')
if command -v lua5.4 >/dev/null; then # the same liblua builds the same defaults
    lua_default=$(lua5.4 -e 'io.write(package.path)')
    if [[ "$default_path" == "$lua_default" ]]; then
        pass "the path without the bundled entries is stock lua5.4's"
    else
        fail "the path without the bundled entries is stock lua5.4's" "$default_path" "$lua_default"
    fi
fi

run "$exe" -e 'io.write(package.path)'
expect_out "no LUA_PATH: the bundled entries come first, then Lua's defaults" "$bundled;$default_path"
LUA_PATH="$tmp/mods/?.lua;;" run "$exe" -e 'io.write(package.path)'
expect_out "LUA_PATH with ';;': user entries first, bundled ones where the defaults go" \
    "$tmp/mods/?.lua;$bundled;$default_path"
LUA_PATH=";;$tmp/mods/?.lua" run "$exe" -e 'io.write(package.path)'
expect_out "LUA_PATH starting with ';;': bundled, defaults, then the user's" "$bundled;$default_path;$tmp/mods/?.lua"
LUA_PATH="$tmp/mods/?.lua" run "$exe" -e 'io.write(package.path)'
expect_out "LUA_PATH without ';;': the user's entries, then the bundled ones, no defaults" "$tmp/mods/?.lua;$bundled"
LUA_PATH="/ignored/?.lua;;" LUA_PATH_5_4="$tmp/mods/?.lua;;" run "$exe" -e 'io.write(package.path)'
expect_out "LUA_PATH_5_4 wins over LUA_PATH" "$tmp/mods/?.lua;$bundled;$default_path"

LUA_PATH="$tmp/mods/?.lua;;" run "$exe" -e 'print(require("mymod").name, type(require("initlab.repl").show))'
expect_out "LUA_PATH finds a user module and the bundled ones still load" $'mymod\tfunction'
mkdir -p "$tmp/override/initlab"
printf 'return { overridden = true }\n' >"$tmp/override/initlab/repl.lua"
LUA_PATH="$tmp/override/?.lua;;" run "$exe" -e 'print(require("initlab.repl").overridden)'
expect_out "a user module on LUA_PATH overrides a bundled one" "true"
INITLAB_LUA_DIR="$tmp/override" run "$exe" -e 'print(require("initlab.repl").overridden, package.path:find(os.getenv("INITLAB_LUA_DIR"), 1, true) == 1)'
expect_out "INITLAB_LUA_DIR replaces the bundled directory" $'true\ttrue'
feed $'{1, 2}\n' env INITLAB_LUA_DIR="$tmp/override" "$exe" -i
if [[ "$out" == "table: "* && $status -eq 0 ]]; then pass "without a usable initlab.repl the prompt falls back to print"; else
    fail "without a usable initlab.repl the prompt falls back to print" "$out" "$err"; fi

# ---- after cmake --install: the bundled lua/ next to the installed binary -------------------------

prefix="$tmp/prefix"
cmake_bin=$(sed -n 's/^CMAKE_COMMAND:INTERNAL=//p' "$build/CMakeCache.txt" 2>/dev/null)
[[ -x "$cmake_bin" ]] || cmake_bin=cmake
if "$cmake_bin" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
    pass "cmake --install into a temporary prefix"
    installed="$prefix/bin/initlab"
    out=$(cd "$tmp/elsewhere" && "$installed" -e 'print(package.searchpath("initlab.repl", package.path))' 2>"$tmp/stderr")
    status=$?
    err=$(<"$tmp/stderr")
    expect_out "the installed binary finds its share/initlab/lua from another directory" \
        "$prefix/share/initlab/lua/initlab/repl.lua"
    out=$(cd "$tmp/elsewhere" && printf '{1, {2}}\nil.ones ~= nil\n' | "$installed" -i 2>"$tmp/stderr")
    status=$?
    err=$(<"$tmp/stderr")
    expect_out "the installed prompt pretty-prints with the bundled initlab.repl" $'{1, {2}}\ntrue'
else
    fail "cmake --install into a temporary prefix" "$(tail -5 "$tmp/install.log")"
fi

# A binary with neither lua/ beside it nor ../share/initlab/lua falls back to the compile-time directory.
mkdir -p "$tmp/lonely/bin"
cp "$exe" "$tmp/lonely/bin/initlab"
install_prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt" 2>/dev/null)
run "$tmp/lonely/bin/initlab" -e 'io.write((package.path:match("^[^;]*")))'
expect_out "a lone binary uses the compile-time INITLAB_INSTALL_LUA_DIR" "$install_prefix/share/initlab/lua/?.lua"

# ---- the prompt in a real terminal (readline) ---------------------------------------------------

if [[ -x /usr/bin/python3 ]]; then
    step=5
    [[ $sanitize == 1 ]] && step=20
    pty_out=$(/usr/bin/python3 "$here/pty_repl.py" "$exe" "$tmp/history" "$step" 2>&1)
    pty_status=$?
    echo "$pty_out"
    if [[ $pty_status -ne 0 ]]; then
        failures=$((failures + 1))
        [[ "$pty_out" == *"not ok"* ]] || echo "not ok - pty: the terminal driver failed (status $pty_status)"
    fi
else
    echo "ok - pty: # SKIP /usr/bin/python3 is missing"
fi

# ---- scripts/initlab's "is the build current?" (scripts/bootstrap.sh) ------------------------------

# A fake build directory: the decision reads the stamp of the last successful build, not the binary's
# time (a change that relinks nothing, such as tests/tests.cmake, leaves that time as it was).
fake="$tmp/fakebuild"
mkdir -p "$fake"
printf '#!/bin/sh\n' >"$fake/initlab" && chmod +x "$fake/initlab"
touch "$fake/CMakeCache.txt"
if (source scripts/bootstrap.sh && ! build_is_current "$fake"); then pass "build_is_current: no stamp, not current"
else fail "build_is_current: no stamp, not current" "it said current"; fi
touch "$fake/.built"
if (source scripts/bootstrap.sh && build_is_current "$fake"); then pass "build_is_current: a fresh stamp is current"
else fail "build_is_current: a fresh stamp is current" "it said not current"; fi
touch -d "@$(( $(stat -c %Y tests/tests.cmake) - 10 ))" "$fake/.built" "$fake/initlab"
if (source scripts/bootstrap.sh && ! build_is_current "$fake"); then pass "build_is_current: tests.cmake newer than the stamp"
else fail "build_is_current: tests.cmake newer than the stamp" "it said current"; fi

# A fake source tree: an edited source, and a source added (only the directory's time shows that), each
# make the build stale.
root="$tmp/fakeroot"
mkdir -p "$root/src" "$root/tests"
touch "$root/src/a.c" "$root/CMakeLists.txt" "$root/tests/tests.cmake"
touch -d @1000000000 "$root/src/a.c" "$root/src" "$root/CMakeLists.txt" "$root/tests/tests.cmake"
touch -d @1000000100 "$fake/.built"
current_in_fake_root() { (source scripts/bootstrap.sh && INITLAB_ROOT=$root && build_is_current "$fake"); }
if current_in_fake_root; then pass "build_is_current: sources older than the stamp"
else fail "build_is_current: sources older than the stamp" "it said not current"; fi
touch "$root/src/a.c"
if ! current_in_fake_root; then pass "build_is_current: an edited source"
else fail "build_is_current: an edited source" "it said current"; fi
touch -d @1000000000 "$root/src/a.c"
touch -d @1000000000 "$root/src/b.c" # (created now: the directory's time changes)
if ! current_in_fake_root; then pass "build_is_current: a source added"
else fail "build_is_current: a source added" "it said current"; fi

if [[ $failures -ne 0 ]]; then
    echo "# $failures check(s) failed"
    exit 1
fi
echo "# all host checks passed"
