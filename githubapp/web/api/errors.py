"""The API's one error answer, ``{"error": code, "message": text, "detail"?: [{field, message}]}``: every
operation raises ``ApiError`` (or ``openapi.ValidationFailed``) and ``endpoint`` turns it into this."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

JSON = dict[str, Any]


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.headers = status, error, message, headers or {}


def not_found(what: str = "object") -> ApiError:
    return ApiError(404, "not_found", f"no such {what}")


def error_response(exc: ApiError, detail: list[JSON] | None = None) -> JSONResponse:
    body: JSON = {"error": exc.error, "message": exc.message}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)
