"""Failure history: has this failed like this before, how often, where, how was it fixed, is it flaky."""
