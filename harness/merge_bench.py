#!/usr/bin/env python3
"""merge_bench.py OUT PART.json... -- join per-benchmark Google Benchmark JSON files.

run_all.sh runs every benchmark in a fresh process (so that no benchmark
inherits another's heap state: glibc's trim and mmap thresholds adapt to what
the process freed before) and joins the parts into one bench-<process>.json:
the context of the first part, the benchmarks of all parts in order. Parts
that are missing or unreadable are reported and skipped. Written atomically.
Exit 0 if at least one part was read, 1 otherwise.
"""
import json
import os
import sys


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    out, parts = argv[0], argv[1:]
    merged, bad = None, []
    for path in parts:
        try:
            with open(path) as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            bad.append(f"{os.path.basename(path)}: {e.__class__.__name__}")
            continue
        if merged is None:
            merged = {"context": data.get("context", {}), "benchmarks": []}
        merged["benchmarks"].extend(data.get("benchmarks", []))
    if merged is None:
        sys.stderr.write("merge_bench: no readable part\n")
        return 1
    merged["context"]["ab_isolation"] = "one process per benchmark"
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(merged, f, indent=1)
        f.write("\n")
    os.replace(tmp, out)
    for b in bad:
        sys.stderr.write(f"merge_bench: skipped {b}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
