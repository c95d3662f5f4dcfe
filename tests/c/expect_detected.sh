#!/usr/bin/env bash
# expect_detected.sh -- the memory checkers catch the recipe's pitfalls.
#
# Runs tests/c/test_use_after_reset.c (a use after arena reset, a pool
# use-after-free, a fixed-buffer use-after-rewind, a use of a block an arena
# gave back to a block cache) and asserts that the
# detector fired: exit status non-zero AND the expected report on stderr.
# The "-ok" twins (same steps, no bad access) must run clean, so a detector
# that fires on everything does not pass either.
#
#   tests/c/expect_detected.sh                 build both variants with $CC, run both
#   tests/c/expect_detected.sh --asan BIN      check an existing ASan build
#   tests/c/expect_detected.sh --valgrind BIN  check an existing -DAB_TRACK_VALGRIND build
#
# Builds (from the repository root), if you bring your own binaries:
#   ASan:     cc -std=c11 -O1 -g -fsanitize=address -fno-omit-frame-pointer \
#               -Iallocators allocators/*.c tests/c/test_use_after_reset.c -o uar_asan
#   valgrind: cc -std=c11 -O1 -g -DAB_TRACK_VALGRIND \
#               -Iallocators allocators/*.c tests/c/test_use_after_reset.c -o uar_vg
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CC=${CC:-cc}

asan_bin="" vg_bin="" build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --asan) asan_bin=$2; build=0; shift 2 ;;
        --valgrind) vg_bin=$2; build=0; shift 2 ;;
        *) echo "usage: $0 [--asan BIN] [--valgrind BIN]" >&2; exit 2 ;;
    esac
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $build = 1 ]; then
    asan_bin=$tmp/uar_asan vg_bin=$tmp/uar_vg
    $CC -std=c11 -O1 -g -fsanitize=address -fno-omit-frame-pointer -I"$root/allocators" \
        "$root"/allocators/*.c "$here/test_use_after_reset.c" -o "$asan_bin" || exit 1
    $CC -std=c11 -O1 -g -DAB_TRACK_VALGRIND -I"$root/allocators" \
        "$root"/allocators/*.c "$here/test_use_after_reset.c" -o "$vg_bin" || exit 1
fi

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1: $2"; sed 's/^/     | /' "$tmp/err" | head -20; }

# expect NAME PATTERN CMD...: CMD must fail and print PATTERN (ERE) on stderr
expect() {
    local name=$1 pattern=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ $rc -eq 0 ]; then bad "$name" "exit status 0: the detector did not fire"
    elif ! grep -Eq "$pattern" "$tmp/err"; then bad "$name" "exit $rc without /$pattern/ on stderr"
    else ok "$name (exit $rc, /$pattern/)"; fi
}
# clean NAME CMD...: CMD must succeed with no report
clean() {
    local name=$1; shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ $rc -ne 0 ]; then bad "$name" "exit status $rc on the clean path"
    elif grep -Eq "ERROR: AddressSanitizer|Invalid (read|write)|uninitialised" "$tmp/err"; then bad "$name" "a report on the clean path"
    else ok "$name (clean)"; fi
}

if [ -n "$asan_bin" ]; then
    for c in arena pool fixed cache; do
        expect "asan/$c" "ERROR: AddressSanitizer: use-after-poison" \
            env ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 "$asan_bin" "$c"
        clean "asan/$c-ok" env ASAN_OPTIONS=detect_leaks=1 "$asan_bin" "$c-ok"
    done
fi
if [ -n "$vg_bin" ]; then
    if ! command -v valgrind >/dev/null; then
        echo "FAIL valgrind: not installed"; failed=$((failed + 1))
    else
        vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
        expect "valgrind/arena" "Invalid read of size" $vg "$vg_bin" arena
        expect "valgrind/pool" "Invalid write of size" $vg "$vg_bin" pool
        expect "valgrind/fixed" "Invalid read of size" $vg "$vg_bin" fixed
        expect "valgrind/cache" "Invalid read of size" $vg "$vg_bin" cache
        for c in arena pool fixed cache; do clean "valgrind/$c-ok" $vg "$vg_bin" "$c-ok"; done
    fi
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
