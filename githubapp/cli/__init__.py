"""The ``ci-triage`` command: ``main`` wires the subcommands, one module per group of them."""
