"""Benchmarks: ``python -m benchmarks`` runs every registered one, ``python -m benchmarks NAME`` one."""

# name -> module with a ``main(argv) -> int``; one line each.
REGISTRY: dict[str, str] = {
    "extract": "benchmarks.extract",
    "webhook": "benchmarks.webhook",
    "snapshot": "benchmarks.snapshot",
    "scale": "benchmarks.scale",
    "pipeline": "benchmarks.pipeline",
    "api": "benchmarks.api",
    "history": "benchmarks.history",
    "matching": "benchmarks.matching",
    "fixes": "benchmarks.fixes",
    "hostile": "benchmarks.hostile",
}
