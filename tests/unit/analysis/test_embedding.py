"""Embedders: the local hashing one, and the OpenAI-compatible one through the real openai client."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import openai
import pytest

from analysis.embedding import Embedder, EmbeddingError, HashingEmbedder, OpenAIEmbedder


def test_hashing_is_deterministic_normalized_and_sized() -> None:
    e = HashingEmbedder(dim=128)
    a = e.embed(["AssertionError: expected 3 got 4", ""])
    b = HashingEmbedder(dim=128).embed(["AssertionError: expected 3 got 4", ""])
    assert a.shape == (2, 128) and a.dtype == np.float32
    assert np.array_equal(a, b)  # stable across instances (and processes: CRC32, not hash())
    assert abs(float(np.linalg.norm(a[0])) - 1.0) < 1e-5
    assert float(np.linalg.norm(a[1])) == 0.0  # empty text: zero vector, no NaN
    assert e.name == "hashing-v1-128" and e.dim == 128 and isinstance(e, Embedder)


def test_numbers_do_not_move_the_vector() -> None:
    e = HashingEmbedder()
    a, b = e.embed(["test_x failed after 12.5s at line 40", "test_x failed after 0.3s at line 47"])
    assert float(a @ b) > 0.999


def test_same_fault_is_closer_than_a_different_fault() -> None:
    e = HashingEmbedder()
    base, same, other = e.embed(
        [
            "FAILED tests/test_api.py::test_login - KeyError: 'token' in auth/session.py",
            "FAILED tests/test_api.py::test_login - KeyError: 'token' in auth/session.py (retry)",
            "FAILED tests/test_api.py::test_logout - ConnectionRefusedError: [Errno 111] Connection refused",
        ]
    )
    assert float(base @ same) > 0.9 > float(base @ other)


def test_dimension_is_validated() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        HashingEmbedder(dim=4)


class _EmbeddingsStub(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible /v1/embeddings: a deterministic 8-dim vector per input."""

    requests: list[dict[str, object]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _EmbeddingsStub.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        if body["model"] == "broken":
            self.send_response(500)
            self.end_headers()
            return
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0, 0, 0, 0, 0, float(i)]}
            for i, t in enumerate(body["input"])
        ]
        payload = json.dumps(
            {
                "object": "list",
                "data": data[::-1],
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def stub_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmbeddingsStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_embedder_through_the_real_client(stub_url: str) -> None:
    client = openai.OpenAI(base_url=stub_url, api_key="sk-test", max_retries=0)
    e = OpenAIEmbedder(client, "text-embedding-test", batch_size=2)
    out = e.embed(["a", "bbb", "cc"])
    assert out.shape == (3, 8) and e.dim == 8 and e.name == "openai:text-embedding-test"
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0)
    # Rows come back in input order although the server answered in reverse.
    expected = np.array([1.0, 1.0, 0, 0, 0, 0, 0, 0]) / np.sqrt(2)
    assert np.allclose(out[0], expected)
    last = _EmbeddingsStub.requests[-1]
    assert last["path"] == "/v1/embeddings" and last["auth"] == "Bearer sk-test" and last["input"] == ["cc"]


def test_openai_embedder_errors_are_one_type(stub_url: str) -> None:
    client = openai.OpenAI(base_url=stub_url, api_key="sk-test", max_retries=0)
    with pytest.raises(EmbeddingError, match="broken"):
        OpenAIEmbedder(client, "broken").embed(["x"])
