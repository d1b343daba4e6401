"""Shared fixtures live in tests/support; this file only loads them."""

pytest_plugins = ["tests.support.fixtures"]
