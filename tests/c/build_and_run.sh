#!/usr/bin/env bash
# build_and_run.sh -- build and run every C test with plain compiler commands
# (no CMake), so the allocators can be iterated on quickly. The lead's
# CMakeLists.txt / run_all.sh mirror the commands printed here.
#
#   tests/c/build_and_run.sh            everything (about 5-8 minutes on 2 cores)
#   tests/c/build_and_run.sh quick      plain + ASan builds with few ops, no valgrind, 5 s of fuzzing
#
# Environment:
#   OUT=DIR          build directory (default ${TMPDIR:-/tmp}/arenabench-tests-c)
#   CC=gcc CLANG=clang
#   AB_TEST_OPS=N    property-test ops per allocator for the native runs (default 100000)
#   VALGRIND_OPS=N   the same under valgrind (default 50000: ~1 min)
#   FUZZ_TIME=S      libFuzzer seconds (default 30)
#   AB_TEST_SEED=S   property-test seed (default: the fixed one in test_allocators.c)
#
# Exit status: the number of failed steps (0 = all passed); the last line is
# `N passed, N failed` over the steps.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1

mode=${1:-full}
CC=${CC:-gcc}
CLANG=${CLANG:-clang}
OUT=${OUT:-${TMPDIR:-/tmp}/arenabench-tests-c}
OPS=${AB_TEST_OPS:-100000}
VG_OPS=${VALGRIND_OPS:-50000}
FUZZ_TIME=${FUZZ_TIME:-30}
if [ "$mode" = quick ]; then OPS=${AB_TEST_OPS:-10000}; FUZZ_TIME=${FUZZ_TIME_QUICK:-5}; fi
mkdir -p "$OUT"

ALLOC_SRCS=(allocators/allocator.c allocators/arena.c allocators/counting.c allocators/fixed_buffer.c
            allocators/malloc_allocator.c allocators/pool.c)
MODEL_SRCS=(tests/c/model.c tests/c/subjects.c)
INC=(-Iallocators -Itests/c)
WARN=(-std=c11 -Wall -Wextra -Werror)
SAN=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)

steps_ok=0 steps_failed=0 failed_names=""
# step NAME CMD...: runs CMD, logs to $OUT/NAME.log, reports time and status
step() {
    local name=$1; shift
    local t0 t1 rc
    t0=$(date +%s.%N)
    echo "+ $*" >"$OUT/$name.log"
    "$@" >>"$OUT/$name.log" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    local secs
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    if [ $rc -eq 0 ]; then
        steps_ok=$((steps_ok + 1))
        printf 'ok   %-28s %6ss  %s\n' "$name" "$secs" "$(tail -n 1 "$OUT/$name.log")"
    else
        steps_failed=$((steps_failed + 1))
        failed_names="$failed_names $name"
        printf 'FAIL %-28s %6ss  exit %d, log: %s\n' "$name" "$secs" "$rc" "$OUT/$name.log"
        tail -n 25 "$OUT/$name.log" | sed 's/^/     | /'
    fi
}

# --- 1. plain -O2 -Werror builds (gcc) ---------------------------------------
step build-gcc-tests $CC "${WARN[@]}" -O2 "${INC[@]}" "${ALLOC_SRCS[@]}" "${MODEL_SRCS[@]}" \
    tests/c/test_allocators.c -o "$OUT/test_allocators"
step run-gcc-tests env AB_TEST_OPS="$OPS" "$OUT/test_allocators"
step build-gcc-fuzz-standalone $CC "${WARN[@]}" -O2 -DAB_FUZZ_STANDALONE "${INC[@]}" "${ALLOC_SRCS[@]}" \
    "${MODEL_SRCS[@]}" tests/c/fuzz_allocators.c -o "$OUT/fuzz_standalone"
step run-gcc-fuzz-standalone "$OUT/fuzz_standalone" -random 1000 1
step build-gcc-uar $CC "${WARN[@]}" -O2 "${INC[@]}" "${ALLOC_SRCS[@]}" tests/c/test_use_after_reset.c \
    -o "$OUT/test_use_after_reset"
step run-gcc-uar-clean-paths sh -c "'$OUT/test_use_after_reset' arena-ok && '$OUT/test_use_after_reset' pool-ok && '$OUT/test_use_after_reset' fixed-ok"
# The README example, exactly as a user outside the project would build it.
step build-readme-example sh -c "cd '$root' && cc -std=c11 -Iallocators allocators/*.c tests/c/readme_example.c -o '$OUT/readme_example'"
step run-readme-example "$OUT/readme_example"
step build-clang-tests $CLANG "${WARN[@]}" -O2 "${INC[@]}" "${ALLOC_SRCS[@]}" "${MODEL_SRCS[@]}" \
    tests/c/test_allocators.c -o "$OUT/test_allocators_clang"
step run-clang-tests env AB_TEST_OPS="$OPS" "$OUT/test_allocators_clang"

# --- 2. AddressSanitizer + UndefinedBehaviorSanitizer (gcc) -------------------
step build-asan-tests $CC "${WARN[@]}" -O1 -g "${SAN[@]}" "${INC[@]}" "${ALLOC_SRCS[@]}" "${MODEL_SRCS[@]}" \
    tests/c/test_allocators.c -o "$OUT/test_allocators_asan"
step run-asan-tests env AB_TEST_OPS="$OPS" ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$OUT/test_allocators_asan"
step build-asan-fuzz-standalone $CC "${WARN[@]}" -O1 -g "${SAN[@]}" -DAB_FUZZ_STANDALONE "${INC[@]}" \
    "${ALLOC_SRCS[@]}" "${MODEL_SRCS[@]}" tests/c/fuzz_allocators.c -o "$OUT/fuzz_standalone_asan"
step run-asan-fuzz-standalone "$OUT/fuzz_standalone_asan" -random 300 2
step build-asan-readme-example $CC "${WARN[@]}" -O1 -g "${SAN[@]}" "${INC[@]}" "${ALLOC_SRCS[@]}" \
    tests/c/readme_example.c -o "$OUT/readme_example_asan"
step run-asan-readme-example "$OUT/readme_example_asan"

# --- 3. the detectors fire on the recipe's pitfalls (ASan and valgrind) ------
if [ "$mode" = quick ]; then
    step build-asan-uar $CC -std=c11 -O1 -g -fsanitize=address -fno-omit-frame-pointer "${INC[@]}" \
        "${ALLOC_SRCS[@]}" tests/c/test_use_after_reset.c -o "$OUT/uar_asan"
    step expect-detected-asan tests/c/expect_detected.sh --asan "$OUT/uar_asan"
else
    step expect-detected tests/c/expect_detected.sh
fi

# --- 4. valgrind memcheck, allocators built with -DAB_TRACK_VALGRIND ---------
if [ "$mode" != quick ]; then
    step build-valgrind-tests $CC "${WARN[@]}" -O2 -g -DAB_TRACK_VALGRIND "${INC[@]}" "${ALLOC_SRCS[@]}" \
        "${MODEL_SRCS[@]}" tests/c/test_allocators.c -o "$OUT/test_allocators_vg"
    step run-valgrind-tests env AB_TEST_OPS="$VG_OPS" valgrind -q --error-exitcode=1 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect "$OUT/test_allocators_vg"
fi

# --- 5. libFuzzer (clang), bounded ---------------------------------------------
step build-libfuzzer $CLANG "${WARN[@]}" -g -O1 -fsanitize=fuzzer,address,undefined "${INC[@]}" \
    "${ALLOC_SRCS[@]}" "${MODEL_SRCS[@]}" tests/c/fuzz_allocators.c -o "$OUT/fuzz_allocators"
mkdir -p "$OUT/fuzz_corpus"
step run-libfuzzer "$OUT/fuzz_allocators" -max_total_time="$FUZZ_TIME" -seed=1 -max_len=4096 -len_control=0 \
    -print_final_stats=1 "$OUT/fuzz_corpus"
# what libFuzzer found, replayed by the gcc build (no libFuzzer runtime)
step replay-corpus-gcc "$OUT/fuzz_standalone" "$OUT/fuzz_corpus"

echo "logs: $OUT"
[ -n "$failed_names" ] && echo "failed steps:$failed_names"
echo "$steps_ok passed, $steps_failed failed"
exit $((steps_failed > 125 ? 125 : steps_failed))
