"""Dispatch named benchmarks: ``python -m benchmarks [NAME ...] [-- ARGS]``."""

from __future__ import annotations

import importlib
import sys

from . import REGISTRY


def main(argv: list[str]) -> int:
    split = argv.index("--") if "--" in argv else len(argv)
    names, options = argv[:split] or list(REGISTRY), argv[split + 1 :]
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(REGISTRY)}", file=sys.stderr)
        return 2
    status = 0
    for name in names:
        print(f"== {name}", flush=True)
        module = importlib.import_module(REGISTRY[name])
        status |= int(module.main(options))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
