"""Embedders: text in, L2-normalized float32 rows out.

The default, :class:`HashingEmbedder`, needs no network and no model: signed feature hashing of word unigrams,
word bigrams and character trigrams of the (already normalized) failure text, with sublinear term weighting.
It is deterministic across processes and machines (CRC32, not Python's salted ``hash``), so vectors stored by
one worker compare with vectors computed by another.

:class:`OpenAIEmbedder` wraps an injected OpenAI-compatible client (``client.embeddings.create``); it does
the I/O, the caller builds the client from settings.
"""

from __future__ import annotations

import itertools
import math
import zlib
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from .regex import compile_linear

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """``name`` and ``dim`` identify the vector space: vectors of different names never compare."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    @property
    def local(self) -> bool:
        """True when ``embed`` is CPU-only and quick (no need to run it off the event loop)."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


# Words keep dots, slashes and colons inside identifiers (``tests/test_a.py::test_b``) as separate tokens;
# numbers collapse to one token so shifted line numbers and durations do not move the vector.
_WORD = compile_linear(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_NUMBER = "0"


def _tokens(text: str) -> list[str]:
    return [_NUMBER if t[0].isdigit() else t.lower() for t in _WORD.findall(text)]


class HashingEmbedder:
    """Signed hashing of word 1-2-grams and char 3-grams into ``dim`` buckets, sublinear tf, L2-normalized."""

    local = True

    def __init__(
        self, dim: int = 384, *, char_weight: float = 0.5, bigram_weight: float = 1.0, max_tokens: int = 400
    ) -> None:
        if dim < 16:
            raise ValueError(f"embedding dimension must be at least 16, got {dim}")
        self._dim = dim
        self.char_weight = char_weight
        self.bigram_weight = bigram_weight
        self.max_tokens = max_tokens
        self._cache: dict[str, tuple[int, float]] = {}

    @property
    def name(self) -> str:
        return f"hashing-v1-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def _slot(self, feature: str) -> tuple[int, float]:
        hit = self._cache.get(feature)
        if hit is None:
            h = zlib.crc32(feature.encode("utf-8", "replace"))
            hit = (h % self._dim, 1.0 if (h >> 31) & 1 else -1.0)
            if len(self._cache) > 200_000:  # bounded: identifiers are unbounded in number
                self._cache.clear()
            self._cache[feature] = hit
        return hit

    def features(self, text: str) -> Counter[str]:
        tokens = _tokens(text)[: self.max_tokens]
        counts: Counter[str] = Counter(tokens)
        if self.bigram_weight:
            counts.update(f"{a} {b}" for a, b in itertools.pairwise(tokens))
        if self.char_weight:
            for token in set(tokens):
                if len(token) > 3:
                    padded = f"<{token}>"
                    counts.update("#" + padded[i : i + 3] for i in range(len(padded) - 2))
        return counts

    def embed_one(self, text: str) -> Vectors:
        row = np.zeros(self._dim, dtype=np.float64)
        for feature, count in self.features(text).items():
            weight = 1.0 + math.log(count)
            if feature[0] == "#":
                weight *= self.char_weight
            elif " " in feature:
                weight *= self.bigram_weight
            slot, sign = self._slot(feature)
            row[slot] += sign * weight
        norm = float(np.linalg.norm(row))
        if norm > 0:
            row /= norm
        return row.astype(np.float32)

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self.embed_one(text)
        return out


class EmbeddingError(RuntimeError):
    """The embedding endpoint failed or answered something unusable."""


class OpenAIEmbedder:
    """Any OpenAI-compatible ``/v1/embeddings`` endpoint via an injected, synchronous ``openai`` client."""

    local = False

    def __init__(self, client: Any, model: str, *, dim: int | None = None, batch_size: int = 256) -> None:
        self.client = client
        self.model = model
        self._dim = dim
        self.batch_size = batch_size

    @property
    def name(self) -> str:
        return f"openai:{self.model}"

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self.embed(["dimension probe"]).shape[1])
        return self._dim

    def embed(self, texts: Sequence[str]) -> Vectors:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = [t if t.strip() else "(empty)" for t in texts[start : start + self.batch_size]]
            try:
                response = self.client.embeddings.create(input=batch, model=self.model)
            except Exception as exc:  # the client raises many types; callers need one
                raise EmbeddingError(f"embedding request to model {self.model!r} failed: {exc}") from exc
            data = sorted(response.data, key=lambda item: item.index)
            if len(data) != len(batch):
                raise EmbeddingError(f"asked for {len(batch)} embeddings, got {len(data)}")
            rows.extend(list(item.embedding) for item in data)
        if not rows:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        matrix = np.asarray(rows, dtype=np.float32)
        if self._dim is not None and matrix.shape[1] != self._dim:
            raise EmbeddingError(f"model {self.model!r} returned {matrix.shape[1]} dimensions, expected {self._dim}")
        self._dim = int(matrix.shape[1])
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        normalized: Vectors = (matrix / norms).astype(np.float32)
        return normalized
