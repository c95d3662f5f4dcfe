#!/usr/bin/env bash
# where_time_goes.sh FILTER OUTDIR [options] -- top functions per allocator from
# perf (when it can record here; else one line saying why) and callgrind.
# Writes OUTDIR/where_time_goes.md. Options: see profiling/where_time_goes.py --help.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 2 ]; then
    echo "usage: $0 FILTER OUTDIR [--build DIR] [--allocators LIST] [--top N] [--quick]" >&2
    exit 2
fi
# Debian's python3 (with its packages), not whatever python3 comes first on PATH.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
exec "$PY" "$HERE/where_time_goes.py" "$@"
