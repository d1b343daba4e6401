"""One module per ecosystem, each exposing ``cases(workdir, rng) -> Iterator[RawCase]`` (see ``../model.py``)."""
