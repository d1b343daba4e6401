"""Fixtures shared with the intake tests."""

from tests.intake.conftest import make_deps

__all__ = ["make_deps"]
