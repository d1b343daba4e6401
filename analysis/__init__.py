"""Pure failure analysis: CI logs in, frozen dataclasses out. No I/O, no settings."""
