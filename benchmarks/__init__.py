"""Benchmarks: ``python -m benchmarks`` runs every registered one, ``python -m benchmarks NAME`` one."""

# name -> module with a ``main(argv) -> int``; one line each.
REGISTRY: dict[str, str] = {
    "snapshot": "benchmarks.snapshot",
    "scale": "benchmarks.scale",
}
