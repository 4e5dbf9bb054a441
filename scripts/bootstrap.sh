# scripts/bootstrap.sh: sourced by scripts/initlab and scripts/test.
# Installs the Debian packages initlab needs (when missing) and builds into a build directory when the
# sources changed. Everything comes from Debian's archive; nothing is downloaded at build or run time.

# (parameter expansions, not dirname: scripts/initlab starts as few processes as it can)
INITLAB_SCRIPTS=${BASH_SOURCE[0]%/*}
[ "$INITLAB_SCRIPTS" = "${BASH_SOURCE[0]}" ] && INITLAB_SCRIPTS=.
INITLAB_ROOT=$(cd "$INITLAB_SCRIPTS/.." && pwd)

# Packages to build and run initlab.
INITLAB_PACKAGES=(cmake make gcc pkg-config lua5.4 liblua5.4-dev lua-unit lua-cjson libopenblas-dev libreadline-dev)

# Prints the packages of "$@" that are not installed.
missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

# Installs the missing packages of "$@" with apt-get when root; otherwise prints the exact command.
ensure_packages() {
  local missing
  missing=$(missing_packages "$@" | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "initlab: installing missing Debian packages: $missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >&2 || {
      echo "initlab: apt-get failed; install by hand: apt-get install $missing" >&2
      return 1
    }
  else
    echo "initlab: missing Debian packages. Install them with:" >&2
    echo "  sudo apt-get install -y $missing" >&2
    return 1
  fi
}

# build_is_current DIR: DIR holds an initlab built after every change to the C sources and the build files,
# so running it needs neither a package check nor cmake (a few milliseconds instead of half a second).
# Compared with the stamp of the last successful build (build_tree), not with the binary: a change that
# relinks nothing (tests/tests.cmake) leaves the binary's time as it was.
build_is_current() {
  local dir=$1
  [ -x "$dir/initlab" ] && [ -f "$dir/CMakeCache.txt" ] && [ -f "$dir/.built" ] || return 1
  local f
  # src itself too: a file added or removed there changes the directory's time
  for f in "$INITLAB_ROOT/src" "$INITLAB_ROOT"/src/* "$INITLAB_ROOT/CMakeLists.txt" "$INITLAB_ROOT/tests/tests.cmake"; do
    [ "$f" -nt "$dir/.built" ] && return 1
  done
  return 0
}

# build_tree DIR [cmake options...]: configures DIR once, then builds it (a no-op when nothing changed).
# Build output goes to DIR/build.log and is shown only when the build fails.
build_tree() {
  local dir=$1
  shift
  local log="$dir/build.log"
  mkdir -p "$dir"
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    echo "initlab: configuring $dir ..." >&2
    cmake -S "$INITLAB_ROOT" -B "$dir" "$@" >"$log" 2>&1 || { cat "$log" >&2; return 1; }
  fi
  # the stamp takes the time the build started: a file changed while it ran is built next time
  touch "$dir/.built.next"
  cmake --build "$dir" -j "$(nproc)" >"$log" 2>&1 || { cat "$log" >&2; echo "initlab: build failed ($log)" >&2; return 1; }
  mv "$dir/.built.next" "$dir/.built"
}
