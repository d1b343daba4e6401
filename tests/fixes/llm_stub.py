"""A local OpenAI-compatible server: POST /v1/chat/completions with structured output, on loopback.

It answers what the test queues (or a default), checks that structured-output requests carry a JSON schema,
and records every request so tests can inspect exactly what left the process.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.services import free_port

Answer = dict[str, Any] | str | Callable[[dict[str, Any]], "dict[str, Any] | str"]


class LLMStub:
    def __init__(self) -> None:
        self.port = 0
        self.requests: list[dict[str, Any]] = []
        self.answers: list[Answer] = []
        self.default: Answer = {"explanation": "I cannot tell.", "confidence": 0.1, "diff": ""}
        self.status = 200
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reset(self) -> None:
        self.requests.clear()
        self.answers.clear()
        self.status = 200

    def start(self) -> LLMStub:
        self.port = free_port()
        app = Starlette(routes=[Route("/v1/chat/completions", self._complete, methods=["POST"])])
        self._server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", access_log=False)
        )
        self._thread = threading.Thread(target=self._server.run, name="llm-stub", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("LLM stub did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)

    async def _complete(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append({"body": body, "headers": dict(request.headers)})
        if self.status != 200:
            return JSONResponse({"error": {"message": "stub failure", "type": "server_error"}}, self.status)
        fmt = body.get("response_format")
        if fmt is not None:
            schema = (fmt.get("json_schema") or {}).get("schema")
            if fmt.get("type") != "json_schema" or not isinstance(schema, dict):
                return JSONResponse({"error": {"message": "response_format needs a json_schema"}}, 400)
        answer: Answer = self.answers.pop(0) if self.answers else self.default
        if callable(answer):
            answer = answer(body)
        content = answer if isinstance(answer, str) else json.dumps(answer)
        return JSONResponse(
            {
                "id": "chatcmpl-stub",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "stub"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
        )
