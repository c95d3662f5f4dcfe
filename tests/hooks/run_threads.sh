#!/bin/sh
# Builds and runs tests/hooks/test_threads.c: the three thread workloads and the
# five hook workloads over the harness's real subjects and contestants.
# Usage, from anywhere:
#   tests/hooks/run_threads.sh                               plain
#   tests/hooks/run_threads.sh -fsanitize=thread             ThreadSanitizer
#   tests/hooks/run_threads.sh -fsanitize=address,undefined  ASan + UBSan
# Extra arguments go to every compile and the link.
set -e
cd "$(dirname "$0")/../.."
out=build/test_threads.d
mkdir -p "$out"
rm -f "$out"/*.o
CFLAGS="-std=c11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra"
# the allocator library alone, as CMake builds it (no _GNU_SOURCE)
for f in allocators/[a-z]*.c; do
  cc $CFLAGS "$@" -Iallocators -c "$f" -o "$out/alloc_$(basename "$f" .c).o"
done
# contestants (not mi_heap: mimalloc process only), subjects, workloads, the test
srcs="harness/subject.c harness/contestants.c tests/hooks/test_threads.c
      benchmarks/threads_per_request.c benchmarks/threads_worker_pool.c benchmarks/threads_handoff.c
      benchmarks/sqlite.c benchmarks/lua.c benchmarks/cjson.c benchmarks/expat.c benchmarks/zlib.c
      benchmarks/workloads.c"
for f in harness/contestants/[a-z]*.c; do
  case "$f" in *mi_heap.c) ;; *) srcs="$srcs $f" ;; esac
done
PKGS="sqlite3 lua5.4 libcjson expat zlib apr-1 talloc"
for f in $srcs; do
  cc $CFLAGS "$@" -D_GNU_SOURCE -Iallocators -Ibenchmarks -Iharness $(pkg-config --cflags $PKGS) \
     -c "$f" -o "$out/$(echo "$f" | tr / _ | sed 's/\.c$//').o"
done
cc "$@" "$out"/*.o $(pkg-config --libs $PKGS) -lpthread -ldl -lm -o build/test_threads
exec ./build/test_threads
