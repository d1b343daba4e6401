"""Performance benchmarks: ``python -m benchmarks NAME`` (or ``python -m benchmarks.NAME``). Each reports
absolute numbers and ratios against a baseline measured in the same run."""
