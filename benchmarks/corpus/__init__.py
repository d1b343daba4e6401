"""A corpus of real CI failures, made by running real tools on small projects with injected faults.

``python -m benchmarks.corpus.build`` regenerates it (it needs the toolchains); the committed logs and truth
files do not. See ``README.md`` in this folder for the layout, the truth schema and the measures.
"""
