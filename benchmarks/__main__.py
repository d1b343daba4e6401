"""Benchmark registry: ``python -m benchmarks`` runs all, ``python -m benchmarks NAME [args]`` one."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "history": "benchmarks.history",  # vector search at scale (HNSW vs exact), embedder throughput
    "matching": "benchmarks.matching",  # "same pattern" precision/recall through `ci-triage replay`
}


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print("usage: python -m benchmarks [NAME [ARGS...]]\n\nbenchmarks: " + ", ".join(BENCHMARKS))
        return 0
    if argv:
        name, rest = argv[0], argv[1:]
        if name not in BENCHMARKS:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
            return 2
        return int(importlib.import_module(BENCHMARKS[name]).main(rest) or 0)
    status = 0
    for module in BENCHMARKS.values():
        status |= int(importlib.import_module(module).main([]) or 0)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
