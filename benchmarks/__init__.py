"""Benchmarks: ``python -m benchmarks <name> [args]``; each module has ``main(argv)``."""
