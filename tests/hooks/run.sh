#!/bin/sh
# Builds and runs tests/hooks/test_hooks.c (see its header). Usage, from anywhere:
#   tests/hooks/run.sh [extra compiler flags, e.g. -fsanitize=address,undefined]
set -e
cd "$(dirname "$0")/../.."
mkdir -p build
cc -std=c11 -O1 -g -Wall -Wextra -DAB_HOOKS_OBSERVE "$@" \
   -Iallocators -Ibenchmarks tests/hooks/test_hooks.c \
   benchmarks/sqlite.c benchmarks/lua.c benchmarks/cjson.c \
   benchmarks/expat.c benchmarks/zlib.c benchmarks/workloads.c allocators/[a-z]*.c \
   $(pkg-config --cflags --libs sqlite3 lua5.4 libcjson expat zlib) \
   -lpthread -ldl -o build/test_hooks
exec ./build/test_hooks
