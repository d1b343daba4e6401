"""A fake api.github.com on a loopback port, strict about what GitHub's OpenAPI description allows.

Every request is matched against the description: an unknown path, a wrong method, an unknown query parameter,
a body the operation's schema rejects or a missing/wrong `Authorization` header is answered with a 4xx AND
recorded in `violations`; the `github` fixture fails the test when any were recorded, so retry logic cannot
swallow a bad request. Valid requests are answered, in this order, by injected failures (`fail_next`,
`rate_limit`), canned responses (`on`, `paginate`, `redirect`, `job_logs`), then the built-in models
(installation tokens, check runs, issue comments). A valid request nothing answers is a violation too: the
test forgot to say what GitHub returns.

    github.on("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}", json={"id": 5, ...})
    github.paginate("/repos/octo/demo/actions/runs/5/jobs", jobs)      # {total_count, jobs}, Link headers
    github.job_logs("octo", "demo", 7, "log text")                     # 302 to an expiring blob URL
    github.files("octo", "demo", sha, {"src/app.py": "x = 1\n"})      # the commit's tree and its contents API
    github.fail_next("POST", "/repos/{owner}/{repo}/check-runs", status=502)
    assert github.calls_to("POST", "/repos/{owner}/{repo}/check-runs")[0].json["name"] == "ci-triage"
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import itertools
import json as jsonlib
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives import serialization
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .openapi_index import Match, OpenAPIIndex, Operation
from .services import free_port

_UNSET: Any = object()
BLOB_PREFIX = "/_blobs/"
# Endpoints that authenticate as the App itself (JWT), besides /app and /app/*.
JWT_TEMPLATES = frozenset({
    "/repos/{owner}/{repo}/installation", "/orgs/{org}/installation", "/users/{username}/installation",
})
NO_AUTH_TEMPLATES = frozenset({"/app-manifests/{code}/conversions"})
# GitHub's web pages of the App-manifest flow (github.com, not the REST API): the form posts here.
MANIFEST_PAGES = ("/settings/apps/new", "/organizations/{org}/settings/apps/new")
MANIFEST_REQUIRED = ("url", "redirect_url", "hook_attributes", "default_permissions", "default_events")
MAX_JWT_LIFETIME = 600 + 60  # GitHub: exp at most 10 minutes ahead (iat may be backdated by a minute)


@dataclass
class Reply:
    """A response of the fake: JSON (`json`) or raw bytes/text (`body`)."""

    status: int = 200
    json: Any = _UNSET
    body: bytes | str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None


@dataclass
class Call:
    """One request the fake received (also what handlers get as `request`)."""

    method: str
    path: str
    template: str | None
    operation_id: str | None
    params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any
    status: int = 0  # what the fake answered


Handler = Callable[[Call, dict[str, str]], "Reply | Response | Any | Awaitable[Any]"]


@dataclass
class _Canned:
    method: str
    template: str
    params: dict[str, str]  # only requests with these parameter values
    handler: Handler
    times: int | None
    order: int


@dataclass
class _Injection:
    method: str | None
    template: str | None
    params: dict[str, str]
    reply: Callable[[], Reply]
    times: int


@dataclass
class _Blob:
    content: bytes
    content_type: str
    expires: float


class FakeGitHub:
    """The fake GitHub server. Start once per session; `reset()` between tests."""

    def __init__(self, index: OpenAPIIndex | None = None, *, host: str = "127.0.0.1",
                 blob_host: str = "localhost") -> None:
        self.index = index or OpenAPIIndex.default()
        self.host = host
        self.port = 0
        # Log links point at another origin (as GitHub's do), so clients must not forward the token there.
        self.blob_host = blob_host
        self._lock = threading.RLock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._order = itertools.count()
        self._ids = itertools.count(1000)
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """API base URL, for `Settings.github_api_url` / gidgethub's `base_url`."""
        return f"http://{self.host}:{self.port}"

    @property
    def blob_url(self) -> str:
        return f"http://{self.blob_host}:{self.port}"

    def start(self) -> FakeGitHub:
        self.port = free_port()
        app = Starlette(routes=[Route("/{rest:path}", self._endpoint,
                                      methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"])])
        config = uvicorn.Config(app, host=self.host, port=self.port, log_level="warning",
                                lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="fake-github", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("fake GitHub did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
        self._server = self._thread = None

    def reset(self) -> None:
        """Forget everything a test set up or caused: calls, violations, canned responses, models, blobs."""
        with self._lock:
            self.calls: list[Call] = []
            self.violations: list[str] = []
            self._canned: list[_Canned] = []
            self._injections: list[_Injection] = []
            self._blobs: dict[str, _Blob] = {}
            self.blob_ttl = 60.0  # seconds a log link stays valid
            self.token_ttl = timedelta(hours=1)
            self.tokens: dict[str, tuple[int, datetime]] = {}  # issued installation tokens
            self.check_runs: dict[int, dict[str, Any]] = {}
            self.annotations: dict[int, list[dict[str, Any]]] = {}
            self.comments: dict[int, dict[str, Any]] = {}
            self.trees: dict[tuple[str, str, str], tuple[list[str], bool]] = {}  # (owner, repo, sha) -> paths
            self.contents: dict[tuple[str, str, str], dict[str, bytes]] = {}  # (owner, repo, sha) -> path -> bytes
            self.bot_login = "ci-triage[bot]"
            self.manifests: dict[str, dict[str, Any]] = {}  # code -> manifest posted to .../settings/apps/new
            self.manifest_posts: list[dict[str, Any]] = []  # every manifest form post: path, state, manifest
            self.created_apps: dict[str, dict[str, Any]] = {}  # slug -> manifest, once converted
            self.app_id: int | None = None
            self._jwt_key: str | None = None

    def take_violations(self) -> list[str]:
        """Return and clear the recorded violations (for tests that provoke them on purpose)."""
        with self._lock:
            found, self.violations = self.violations, []
            return found

    def verify_app_jwt(self, key_pem: str, app_id: int) -> None:
        """Check App JWTs (signature, `iss`, lifetime) on JWT endpoints until `reset()`.

        `key_pem` is the App's public key, or its private key (e.g. `settings.github_private_key`).
        """
        if "PRIVATE KEY" in key_pem:
            private = serialization.load_pem_private_key(key_pem.encode(), None)
            key_pem = private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        self._jwt_key, self.app_id = key_pem, app_id

    # -- configuration ---------------------------------------------------------------------------------------

    def _resolve(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """An operation by template (`/repos/{owner}/...`) or concrete path (whose values become a filter)."""
        method = method.upper()
        if "{" in path:
            op = self.index.operation(method, path)
            if op is None:
                raise ValueError(f"{method} {path} is not an operation in GitHub's OpenAPI description")
            return op, {}
        match = self.index.match(path)
        op = match.route.methods.get(method) if match else None
        if match is None or op is None:
            raise ValueError(f"{method} {path} matches no operation in GitHub's OpenAPI description")

        return op, match.params

    def on(self, method: str, path: str, handler: Handler | None = None, *, json: Any = _UNSET,
           status: int = 200, headers: Mapping[str, str] | None = None, body: bytes | str | None = None,
           content_type: str | None = None, times: int | None = None) -> None:
        """Answer `method path` (template or concrete path) with a canned reply or `handler(request, params)`.

        The latest registration wins among equally specific ones; a concrete path beats its template.
        `times` limits how often it answers before falling through to earlier registrations.
        """
        op, params = self._resolve(method, path)
        if handler is None:
            reply = Reply(status, json, body, dict(headers or {}), content_type)

            def handler(request: Call, params: dict[str, str]) -> Reply:
                return reply

        with self._lock:
            self._canned.append(_Canned(op.method, op.template, params, handler, times, next(self._order)))

    def paginate(self, path: str, items: Iterable[Any], *, method: str = "GET", list_key: str | None = None,
                 default_per_page: int = 30) -> None:
        """Serve `items` page by page honouring `per_page`/`page`, with GitHub's `Link` header.

        Operations answering `{total_count, <key>: [...]}` (jobs, check runs, ...) are wrapped like that.
        """
        op, _ = self._resolve(method, path)
        key = list_key or op.list_key
        values = list(items)

        def handler(request: Call, params: dict[str, str]) -> Reply:
            return self.page_of(request, values, list_key=key, default_per_page=default_per_page)

        self.on(method, path, handler)

    def page_of(self, request: Call, items: list[Any], *, list_key: str | None = None,
                default_per_page: int = 30) -> Reply:
        """One page of `items` for `request`, with `Link` rel next/prev/first/last as GitHub sends them.

        Operations paged by `cursor` (webhook deliveries) get opaque cursors and only next/prev, like GitHub.
        """
        op = self.index.operation(request.method, request.template or "")
        by_cursor = op is not None and "cursor" in op.query_params and "page" not in op.query_params
        per_page = min(int(request.query.get("per_page", default_per_page)), 100)
        if by_cursor:
            cursor = request.query.get("cursor", "p1")
            if not cursor.startswith("p") or not cursor[1:].isdigit():
                return Reply(422, {"message": f"invalid cursor {cursor!r}"})
            page = max(int(cursor[1:]), 1)
        else:
            page = max(int(request.query.get("page", 1)), 1)
        chunk = items[(page - 1) * per_page: page * per_page]
        last = max((len(items) + per_page - 1) // per_page, 1)
        links = []

        def link(number: int, rel: str) -> str:
            moved = {"cursor": f"p{number}"} if by_cursor else {"page": str(number)}
            return f'<{self.url}{request.path}?{urlencode({**request.query, **moved})}>; rel="{rel}"'

        if page > 1:
            links += [link(page - 1, "prev")] + ([] if by_cursor else [link(1, "first")])
        if page < last:
            links += [link(page + 1, "next")] + ([] if by_cursor else [link(last, "last")])
        payload: Any = {"total_count": len(items), list_key: chunk} if list_key else chunk
        return Reply(200, payload, headers={"Link": ", ".join(links)} if links else {})

    def blob(self, content: bytes | str, *, content_type: str = "text/plain",
             ttl: float | None = None) -> str:
        """A URL on the blob host serving `content` until it expires (then 403, as GitHub's signed links)."""
        data = content.encode() if isinstance(content, str) else content
        key = secrets.token_urlsafe(16)
        expires = time.monotonic() + (self.blob_ttl if ttl is None else ttl)
        with self._lock:
            self._blobs[key] = _Blob(data, content_type, expires)
        return f"{self.blob_url}{BLOB_PREFIX}{key}"

    def expire_blobs(self) -> None:
        """Make every link handed out so far expire now."""
        with self._lock:
            for blob in self._blobs.values():
                blob.expires = 0.0

    def redirect(self, path: str, content: bytes | str, *, content_type: str = "text/plain",
                 ttl: float | None = None, method: str = "GET") -> None:
        """Answer `path` with 302 to a fresh expiring blob serving `content` (a new link per request)."""

        def handler(request: Call, params: dict[str, str]) -> Reply:
            location = self.blob(content, content_type=content_type, ttl=ttl)
            return Reply(302, body=b"", headers={"Location": location})

        self.on(method, path, handler)

    def job_logs(self, owner: str, repo: str, job_id: int, text: bytes | str, *,
                 ttl: float | None = None) -> None:
        self.redirect(f"/repos/{owner}/{repo}/actions/jobs/{job_id}/logs", text, ttl=ttl)

    def run_logs(self, owner: str, repo: str, run_id: int, zip_bytes: bytes, *, attempt: int | None = None,
                 ttl: float | None = None) -> None:
        path = f"/repos/{owner}/{repo}/actions/runs/{run_id}"
        path += f"/attempts/{attempt}/logs" if attempt is not None else "/logs"
        self.redirect(path, zip_bytes, content_type="application/zip", ttl=ttl)

    def _inject(self, method: str | None, path: str | None, reply: Callable[[], Reply], times: int) -> None:
        template: str | None = None
        params: dict[str, str] = {}
        if path is not None:
            op, params = self._resolve(method or "GET", path) if method else self._any_method(path)
            template = op.template
        with self._lock:
            self._injections.append(_Injection(method and method.upper(), template, params, reply, times))

    def _any_method(self, path: str) -> tuple[Operation, dict[str, str]]:
        match = self.index.match(path) if "{" not in path else None
        route = match.route if match else self.index.routes.get(path)
        if route is None:
            raise ValueError(f"{path} is not a path in GitHub's OpenAPI description")
        return next(iter(route.methods.values())), (match.params if match else {})

    def fail_next(self, method: str | None = None, path: str | None = None, *, status: int = 502,
                  times: int = 1, json: Any = _UNSET, headers: Mapping[str, str] | None = None) -> None:
        """The next `times` matching requests (None = any) get `status` (a 5xx by default) instead."""
        payload = {"message": "Server Error"} if json is _UNSET else json
        self._inject(method, path, lambda: Reply(status, payload, headers=dict(headers or {})), times)

    def rate_limit(self, method: str | None = None, path: str | None = None, *, kind: str = "primary",
                   status: int = 403, times: int = 1, retry_after: int = 60) -> None:
        """Rate-limit the next matching requests: `primary` (x-ratelimit-remaining: 0 + reset) or `secondary`
        (Retry-After), as GitHub does, with `status` 403 or 429."""
        if kind not in ("primary", "secondary"):
            raise ValueError("kind is 'primary' or 'secondary'")

        def reply() -> Reply:
            reset = int(time.time()) + retry_after
            if kind == "primary":
                return Reply(status, {"message": "API rate limit exceeded for installation.",
                                      "documentation_url": "https://docs.github.com/rest/rate-limit"},
                             headers={"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0",
                                      "x-ratelimit-used": "5000", "x-ratelimit-reset": str(reset)})
            return Reply(status, {"message": "You have exceeded a secondary rate limit. Please wait a few "
                                             "minutes before you try again.",
                                  "documentation_url": "https://docs.github.com/rest/rate-limit"},
                         headers={"Retry-After": str(retry_after)})

        self._inject(method, path, reply, times)

    # -- assertions ------------------------------------------------------------------------------------------

    def calls_to(self, method: str, path: str) -> list[Call]:
        """Calls of `method` to a template (every call of that operation) or to a concrete path."""
        method = method.upper()
        with self._lock:
            calls = list(self.calls)
        if "{" in path:
            return [c for c in calls if c.method == method and c.template == path]
        return [c for c in calls if c.method == method and c.path.rstrip("/") == path.rstrip("/")]

    # -- models ----------------------------------------------------------------------------------------------

    def tree(self, owner: str, repo: str, sha: str, paths: Iterable[str], *, truncated: bool = False) -> None:
        """The repository's files at a commit, as ``GET .../git/trees/{sha}?recursive=1`` lists them."""
        with self._lock:
            self.trees[(owner, repo, sha)] = (list(paths), truncated)

    def files(self, owner: str, repo: str, sha: str, files: Mapping[str, str | bytes], *,
              truncated: bool = False) -> None:
        """The repository's files with their contents at a commit: the tree lists them (with their git blob
        sha and size) and ``GET .../contents/{path}?ref={sha}`` serves each one (a path's own answer, so it
        beats a test's catch-all ``on("GET", ".../contents/{path}", ...)``); at another ref: 404."""
        encoded = {path: text.encode() if isinstance(text, str) else text for path, text in files.items()}
        with self._lock:
            self.trees[(owner, repo, sha)] = (list(encoded), truncated)
            self.contents[(owner, repo, sha)] = encoded
            for path in encoded:
                self.on("GET", f"/repos/{owner}/{repo}/contents/{path}", lambda call, _: self._get_contents(call))

    def add_comment(self, owner: str, repo: str, issue_number: int, body: str, *, login: str = "octocat",
                    user_type: str = "User") -> dict[str, Any]:
        """Seed an existing issue comment (e.g. one by a human or by our bot in an earlier run)."""
        with self._lock:
            return _public(self._new_comment(owner, repo, issue_number, body, login, user_type))

    def issue_comments(self, owner: str, repo: str, issue_number: int) -> list[dict[str, Any]]:
        """The comments on an issue or pull request, oldest first, as GitHub would return them."""
        with self._lock:
            return [_public(c) for c in self._comments_on(owner, repo, issue_number)]

    def check_runs_for(self, owner: str, repo: str, head_sha: str | None = None) -> list[dict[str, Any]]:
        """The check runs of a repository (of one commit), as GitHub would return them."""
        with self._lock:
            return [_public(r) for r in self._runs_of(owner, repo, head_sha)]

    def _comments_on(self, owner: str, repo: str, issue_number: int) -> list[dict[str, Any]]:
        key = (owner.lower(), repo.lower(), int(issue_number))
        return [c for c in self.comments.values() if c["_key"] == key]

    def _runs_of(self, owner: str, repo: str, head_sha: str | None) -> list[dict[str, Any]]:
        return [r for r in self.check_runs.values() if r["_repo"] == (owner.lower(), repo.lower())
                and (head_sha is None or r["head_sha"] == head_sha)]

    # -- request handling ------------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        if raw_path.startswith(BLOB_PREFIX):
            return self._serve_blob(request, raw_path.removeprefix(BLOB_PREFIX))
        if _manifest_page(raw_path.split("?", 1)[0]):
            return await self._new_app_page(request, raw_path.split("?", 1)[0])
        if _install_page(raw_path.split("?", 1)[0]):
            return self._install_page(request, raw_path.split("?", 1)[0])
        body = await request.body()
        try:
            call_or_reply = self._check(request, raw_path, body)
        except Exception as exc:  # a bug of the fake must fail the test, not look like a GitHub 500
            self._violate(request.method, raw_path, f"fake GitHub crashed: {exc!r}")
            return _render(Reply(500, {"message": f"fake GitHub crashed: {exc!r}"}))
        if isinstance(call_or_reply, Reply):
            return _render(call_or_reply)
        call = call_or_reply
        try:
            reply = await self._answer(call)
        except Exception as exc:  # a broken test handler must fail the test, not look like a GitHub 500
            self._violate(call.method, call.path, f"handler raised {exc!r}")
            reply = Reply(500, {"message": f"fake GitHub handler raised {exc!r}"})
        response = reply if isinstance(reply, Response) else _render(reply)
        call.status = response.status_code
        return response

    def _violate(self, method: str, path: str, problem: str) -> None:
        with self._lock:
            self.violations.append(f"{method} {path}: {problem}")

    def _check(self, request: Request, raw_path: str, body: bytes) -> Call | Reply:
        method = request.method
        path = raw_path.split("?", 1)[0]
        match = self.index.match(path)
        if match is None:
            self._violate(method, path, "no such path in GitHub's OpenAPI description")
            return Reply(404, {"message": "Not Found", "fake_github": "unknown path"})
        op = match.route.methods.get(method)
        if op is None:
            allowed = ", ".join(sorted(match.route.methods))
            self._violate(method, path, f"{match.route.template} allows only {allowed}")
            return Reply(404, {"message": "Not Found", "fake_github": f"method not allowed ({allowed})"})
        query = dict(parse_qsl(request.url.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in request.headers.items()}
        parsed: Any = None
        problems: list[tuple[int, str]] = []
        problems += [(404, p) for p in self._param_problems(op, match)]
        problems += [(422, p) for p in self._query_problems(op, query)]
        auth = self._auth_problem(op, headers)
        if auth is not None:
            problems.append(auth)
        body_status, parsed, body_problems = self._body_problems(op, headers, body)
        problems += [(body_status, p) for p in body_problems]
        if problems:
            for _, problem in problems:
                self._violate(method, path, problem)
            status = problems[0][0]
            return Reply(status, {"message": "Validation Failed" if status == 422 else "Bad request",
                                  "errors": [p for _, p in problems]})
        call = Call(method, path, op.template, op.operation_id, match.params, query, headers, body, parsed)
        with self._lock:
            self.calls.append(call)
        expired = self._expired_token(headers)
        if expired is not None:
            return expired
        return call

    def _param_problems(self, op: Operation, match: Match) -> list[str]:
        problems = []
        for name, value in match.params.items():
            schema = op.path_params.get(name)
            if schema:
                problems += self.index.param_errors("path", schema, name, value)
        return problems

    def _query_problems(self, op: Operation, query: dict[str, str]) -> list[str]:
        problems = []
        for name, value in query.items():
            schema = op.query_params.get(name)
            if schema is None:
                known = ", ".join(sorted(op.query_params)) or "none"
                problems.append(f"unknown query parameter {name!r} (known: {known})")
            else:
                problems += self.index.param_errors("query", schema, name, value)
        return problems

    def _body_problems(self, op: Operation, headers: dict[str, str],
                       body: bytes) -> tuple[int, Any, list[str]]:
        if not body.strip():
            if op.body_required:
                return 422, None, ["a request body is required"]
            return 200, None, []
        content_type = headers.get("content-type", "application/json").split(";")[0].strip()
        if op.body_content_types and "application/json" not in op.body_content_types:
            return 200, None, []  # raw uploads (octet-stream, text): not JSON, nothing to check
        if content_type not in ("application/json", "application/vnd.github+json", "text/plain", ""):
            return 415, None, [f"content-type {content_type!r} is not JSON"]
        try:
            parsed = jsonlib.loads(body)
        except ValueError:
            return 400, None, ["Problems parsing JSON"]
        if op.body_schema is None:
            if parsed in ({}, None):
                return 200, parsed, []
            return 422, parsed, ["this operation takes no request body"]
        return 422, parsed, [f"body {e}" for e in self.index.schema_errors(op.body_schema, parsed)]

    def _auth_problem(self, op: Operation, headers: dict[str, str]) -> tuple[int, str] | None:
        if op.template in NO_AUTH_TEMPLATES:
            return None
        scheme, _, credential = headers.get("authorization", "").strip().partition(" ")
        credential = credential.strip()
        if not credential:
            return 401, "no Authorization header (GitHub answers 401 Requires authentication)"
        looks_jwt = credential.count(".") == 2 and credential.startswith("eyJ")
        if op.template == "/app" or op.template.startswith("/app/") or op.template in JWT_TEMPLATES:
            if scheme.lower() != "bearer" or not looks_jwt:
                return 401, f"{op.template} needs the App JWT as `Bearer <jwt>`"
            return self._jwt_problem(credential)
        if scheme.lower() not in ("token", "bearer"):
            return 401, f"unknown Authorization scheme {scheme!r}"
        if looks_jwt:
            return 403, f"{op.template} needs an installation token, not the App JWT"
        return None

    def _jwt_problem(self, token: str) -> tuple[int, str] | None:
        if self._jwt_key is None:
            return None
        try:
            claims = jwt.decode(token, self._jwt_key, algorithms=["RS256"],
                                options={"require": ["iat", "exp", "iss"], "verify_iss": False})
        except jwt.PyJWTError as exc:
            return 401, f"App JWT rejected: {exc}"
        if str(claims["iss"]) != str(self.app_id):
            return 401, f"App JWT iss={claims['iss']!r}, expected {self.app_id}"
        if claims["exp"] - claims["iat"] > MAX_JWT_LIFETIME:
            return 401, "App JWT lives longer than 10 minutes"
        return None

    def _expired_token(self, headers: dict[str, str]) -> Reply | None:
        credential = headers.get("authorization", "").partition(" ")[2].strip()
        issued = self.tokens.get(credential)
        if issued is not None and issued[1] <= datetime.now(UTC):
            return Reply(401, {"message": "Bad credentials"})
        return None

    async def _answer(self, call: Call) -> Reply | Response:
        with self._lock:
            injection = next((i for i in self._injections if _applies(i, call)), None)
            if injection is not None:
                injection.times -= 1
                if injection.times <= 0:
                    self._injections.remove(injection)
            canned = None
            if injection is None:
                candidates = [c for c in self._canned if _serves(c, call)]
                if candidates:
                    canned = max(candidates, key=lambda c: (len(c.params), c.order))
                    if canned.times is not None:
                        canned.times -= 1
                        if canned.times <= 0:
                            self._canned.remove(canned)
        if injection is not None:
            return injection.reply()
        if canned is not None:
            result = canned.handler(call, call.params)
            if inspect.isawaitable(result):
                result = await result
            return _as_reply(result)
        builtin = _BUILTINS.get((call.method, call.template or ""))
        if builtin is not None:
            with self._lock:
                return builtin(self, call)
        self._violate(call.method, call.path, f"no canned response for {call.template} (use github.on(...))")
        return Reply(404, {"message": "Not Found", "fake_github": f"nothing set up for {call.template}"})

    def _serve_blob(self, request: Request, key: str) -> Response:
        if "authorization" in {k.lower() for k in request.headers}:
            self._violate(request.method, BLOB_PREFIX + key,
                          "the Authorization header was sent to the log storage host")
        with self._lock:
            blob = self._blobs.get(key)
        if blob is None:
            return Response(b"<Error><Code>BlobNotFound</Code></Error>", 404, media_type="application/xml")
        if time.monotonic() >= blob.expires:
            return Response(b"<Error><Code>AuthenticationFailed</Code><Message>Signed expiry time has passed"
                            b"</Message></Error>", 403, media_type="application/xml")
        return Response(blob.content, 200, media_type=blob.content_type)

    async def _new_app_page(self, request: Request, path: str) -> Response:
        """GitHub's "Create GitHub App" page for a manifest, as a signed-in user who confirms it sees it:
        the App is created and the browser sent to the manifest's `redirect_url` with a one-time code."""
        if request.method != "POST":
            self._violate(request.method, path, "the manifest flow posts its form (GitHub answers GET with a page)")
            return Response("Not Found", 404, media_type="text/plain")
        form = await request.form()
        state = str(form.get("state") or request.query_params.get("state") or "")
        try:
            manifest = jsonlib.loads(str(form.get("manifest") or ""))
        except ValueError:
            manifest = None
        missing = [k for k in MANIFEST_REQUIRED if not isinstance(manifest, dict) or not manifest.get(k)]
        hook = manifest.get("hook_attributes", {}) if isinstance(manifest, dict) else {}
        if missing or not isinstance(hook, dict) or not hook.get("url"):
            self._violate("POST", path, f"manifest invalid: missing {', '.join(missing) or 'hook_attributes.url'}")
            return Response("Invalid GitHub App configuration", 422, media_type="text/plain")
        assert isinstance(manifest, dict)
        code = secrets.token_hex(10)
        with self._lock:
            self.manifests[code] = manifest
            self.manifest_posts.append({"path": path, "state": state, "manifest": manifest})
        query = urlencode({"code": code, "state": state} if state else {"code": code})
        return Response(status_code=302, headers={"location": f"{manifest['redirect_url']}?{query}"})

    def _install_page(self, request: Request, path: str) -> Response:
        """GitHub's "Install" page of an App created here, as a user who installs it on all repositories:
        the browser is sent to the App's `setup_url` with the new installation, as GitHub does."""
        slug = path.strip("/").split("/")[1]
        with self._lock:
            manifest = self.created_apps.get(slug)
        if request.method != "GET" or manifest is None:
            self._violate(request.method, path, f"no App {slug!r} was created through the manifest flow")
            return Response("Not Found", 404, media_type="text/plain")
        if not manifest.get("setup_url"):
            return Response(f"{slug} installed", 200, media_type="text/plain")
        query = urlencode({"installation_id": next(self._ids), "setup_action": "install"})
        return Response(status_code=302, headers={"location": f"{manifest['setup_url']}?{query}"})

    # -- built-in models (called with the lock held) ---------------------------------------------------------

    def _manifest_conversion(self, call: Call) -> Reply:
        manifest = self.manifests.pop(call.params["code"], None)
        if manifest is None:
            return _not_found()
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption()).decode()
        app_id = next(self._ids)
        name = str(manifest.get("name") or f"app-{app_id}")
        slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
        self.created_apps[slug] = manifest
        now = _iso(datetime.now(UTC))
        return Reply(201, {
            "id": app_id, "slug": slug, "node_id": _node_id("App", app_id), "name": name,
            "owner": self._user("octocat", "User"), "description": manifest.get("description"),
            "external_url": manifest["url"], "html_url": f"https://github.com/apps/{slug}",
            "created_at": now, "updated_at": now, "permissions": manifest["default_permissions"],
            "events": manifest["default_events"], "client_id": f"Iv1.{secrets.token_hex(8)}",
            "client_secret": secrets.token_hex(20), "webhook_secret": secrets.token_hex(20), "pem": pem,
        })

    def _user(self, login: str, user_type: str) -> dict[str, Any]:
        return {"login": login, "id": abs(hash(login)) % 10**8, "type": user_type,
                "html_url": f"https://github.com/{login}", "site_admin": False}

    def _access_token(self, call: Call) -> Reply:
        installation_id = int(call.params["installation_id"])
        token = "ghs_" + secrets.token_urlsafe(27)
        expires = datetime.now(UTC) + self.token_ttl
        self.tokens[token] = (installation_id, expires)
        permissions = (call.json or {}).get("permissions") or {
            "actions": "read", "checks": "write", "contents": "read", "issues": "write",
            "metadata": "read", "pull_requests": "write"}
        return Reply(201, {"token": token, "expires_at": _iso(expires), "permissions": permissions,
                           "repository_selection": "all"})

    def _create_check_run(self, call: Call) -> Reply:
        body, (owner, repo) = call.json, (call.params["owner"], call.params["repo"])
        run_id = next(self._ids)
        now = _iso(datetime.now(UTC))
        run: dict[str, Any] = {
            "id": run_id, "node_id": _node_id("CheckRun", run_id), "name": body["name"],
            "head_sha": body["head_sha"], "external_id": body.get("external_id", ""),
            "url": f"{self.url}/repos/{owner}/{repo}/check-runs/{run_id}",
            "html_url": f"https://github.com/{owner}/{repo}/runs/{run_id}",
            "details_url": body.get("details_url"), "status": "queued", "conclusion": None,
            "started_at": now, "completed_at": None,
            "output": {"title": None, "summary": None, "text": None, "annotations_count": 0,
                       "annotations_url": f"{self.url}/repos/{owner}/{repo}/check-runs/{run_id}/annotations"},
            "check_suite": {"id": run_id + 1}, "app": {"id": self.app_id or 1, "slug": "ci-triage"},
            "pull_requests": [], "actions": [], "_repo": (owner.lower(), repo.lower()),
        }
        self.check_runs[run_id] = run
        self.annotations[run_id] = []
        self._update_run(run, body)
        return Reply(201, _public(run))

    def _update_run(self, run: dict[str, Any], body: dict[str, Any]) -> None:
        for key in ("name", "details_url", "external_id", "started_at", "status", "completed_at", "actions"):
            if key in body:
                run[key] = body[key]
        if "conclusion" in body:
            run["conclusion"] = body["conclusion"]
            run["status"] = "completed"
        if run["status"] == "completed" and run["completed_at"] is None:
            run["completed_at"] = _iso(datetime.now(UTC))
        output = body.get("output")
        if output:
            for key in ("title", "summary", "text"):
                if key in output:
                    run["output"][key] = output[key]
            # GitHub appends annotations across updates rather than replacing them.
            self.annotations[run["id"]].extend(
                {**a, "blob_href": f"https://github.com/blob/{run['head_sha']}/{a['path']}",
                 "title": a.get("title"), "raw_details": a.get("raw_details"),
                 "start_column": a.get("start_column"), "end_column": a.get("end_column")}
                for a in output.get("annotations", ()))
            run["output"]["annotations_count"] = len(self.annotations[run["id"]])

    def _find_run(self, call: Call) -> dict[str, Any] | None:
        run = self.check_runs.get(int(call.params["check_run_id"]))
        if run is None or run["_repo"] != (call.params["owner"].lower(), call.params["repo"].lower()):
            return None
        return run

    def _patch_check_run(self, call: Call) -> Reply:
        run = self._find_run(call)
        if run is None:
            return _not_found()
        self._update_run(run, call.json or {})
        return Reply(200, _public(run))

    def _get_check_run(self, call: Call) -> Reply:
        run = self._find_run(call)
        return Reply(200, _public(run)) if run else _not_found()

    def _list_annotations(self, call: Call) -> Reply:
        run = self._find_run(call)
        return self.page_of(call, self.annotations[run["id"]]) if run else _not_found()

    def _runs_for_ref(self, call: Call) -> Reply:
        p, query = call.params, call.query
        runs = [_public(r) for r in self._runs_of(p["owner"], p["repo"], p["ref"])
                if query.get("check_name", r["name"]) == r["name"] and query.get("status", r["status"]) == r["status"]]
        return self.page_of(call, runs, list_key="check_runs")

    def _new_comment(self, owner: str, repo: str, number: int, body: str, login: str,
                     user_type: str) -> dict[str, Any]:
        comment_id = next(self._ids)
        now = _iso(datetime.now(UTC))
        comment = {
            "id": comment_id, "node_id": _node_id("IssueComment", comment_id), "body": body,
            "url": f"{self.url}/repos/{owner}/{repo}/issues/comments/{comment_id}",
            "html_url": f"https://github.com/{owner}/{repo}/issues/{number}#issuecomment-{comment_id}",
            "issue_url": f"{self.url}/repos/{owner}/{repo}/issues/{number}",
            "user": self._user(login, user_type), "created_at": now, "updated_at": now,
            "author_association": "NONE", "_key": (owner.lower(), repo.lower(), int(number)),
        }
        self.comments[comment_id] = comment
        return comment

    def _create_comment(self, call: Call) -> Reply:
        p = call.params
        comment = self._new_comment(p["owner"], p["repo"], int(p["issue_number"]), call.json["body"],
                                    self.bot_login, "Bot")
        return Reply(201, _public(comment))

    def _list_comments(self, call: Call) -> Reply:
        p = call.params
        found = [_public(c) for c in self._comments_on(p["owner"], p["repo"], int(p["issue_number"]))]
        return self.page_of(call, found)

    def _find_comment(self, call: Call) -> dict[str, Any] | None:
        comment = self.comments.get(int(call.params["comment_id"]))
        repo = (call.params["owner"].lower(), call.params["repo"].lower())
        if comment is None or comment["_key"][:2] != repo:
            return None
        return comment

    def _get_comment(self, call: Call) -> Reply:
        comment = self._find_comment(call)
        return Reply(200, _public(comment)) if comment else _not_found()

    def _patch_comment(self, call: Call) -> Reply:
        comment = self._find_comment(call)
        if comment is None:
            return _not_found()
        comment["body"] = call.json["body"]
        comment["updated_at"] = _iso(datetime.now(UTC))
        return Reply(200, _public(comment))

    def _get_tree(self, call: Call) -> Reply:
        """A commit's tree; recursive lists every blob and the directories above them. Unknown: 404."""
        p = call.params
        found = self.trees.get((p["owner"], p["repo"], p["tree_sha"]))
        if found is None:
            return _not_found()
        paths, truncated = found
        contents = self.contents.get((p["owner"], p["repo"], p["tree_sha"]), {})
        entries: dict[str, dict[str, Any]] = {}
        recursive = call.query.get("recursive") not in (None, "", "0", "false")
        for path in paths:
            parts = path.split("/")
            if not recursive and len(parts) > 1:
                entries.setdefault(parts[0], {"path": parts[0], "mode": "040000", "type": "tree"})
                continue
            for depth in range(1, len(parts)):
                directory = "/".join(parts[:depth])
                entries.setdefault(directory, {"path": directory, "mode": "040000", "type": "tree"})
            entries[path] = {"path": path, "mode": "100644", "type": "blob", "size": len(contents.get(path, b"x"))}
        base = f"{self.url}/repos/{p['owner']}/{p['repo']}/git"
        tree = []
        for path, entry in sorted(entries.items()):
            sha = _blob_sha(contents[path]) if path in contents else secrets.token_hex(20)
            kind = "trees" if entry["type"] == "tree" else "blobs"
            tree.append({**entry, "sha": sha, "url": f"{base}/{kind}/{sha}"})
        return Reply(200, {"sha": p["tree_sha"], "url": f"{base}/trees/{p['tree_sha']}", "tree": tree,
                           "truncated": truncated})

    def _get_contents(self, call: Call) -> Reply:
        """A file at ``ref`` (a commit given to ``files``) as the contents API serves it: base64 in lines of 60.
        Unknown commit or path: 404. (No ``ref``, the default branch: set it up with ``on``.)"""
        p = call.params
        files = self.contents.get((p["owner"], p["repo"], call.query.get("ref", "")))
        data = files.get(p["path"]) if files is not None else None
        if data is None:
            return _not_found()
        encoded = base64.b64encode(data).decode()
        api = f"{self.url}/repos/{p['owner']}/{p['repo']}"
        sha = _blob_sha(data)
        html = f"https://github.com/{p['owner']}/{p['repo']}/blob/{call.query['ref']}/{p['path']}"
        git = f"{api}/git/blobs/{sha}"
        return Reply(200, {
            "type": "file", "encoding": "base64", "size": len(data), "name": p["path"].rsplit("/", 1)[-1],
            "path": p["path"], "content": "\n".join(encoded[i:i + 60] for i in range(0, len(encoded), 60)) + "\n",
            "sha": sha, "url": f"{api}/contents/{p['path']}?ref={call.query['ref']}", "git_url": git,
            "html_url": html, "download_url": None,
            "_links": {"self": f"{api}/contents/{p['path']}?ref={call.query['ref']}", "git": git, "html": html},
        })

    def _delete_comment(self, call: Call) -> Reply:
        comment = self._find_comment(call)
        if comment is None:
            return _not_found()
        del self.comments[comment["id"]]
        return Reply(204, body=b"")


_BUILTINS: dict[tuple[str, str], Callable[[FakeGitHub, Call], Reply]] = {
    ("POST", "/app-manifests/{code}/conversions"): FakeGitHub._manifest_conversion,
    ("POST", "/app/installations/{installation_id}/access_tokens"): FakeGitHub._access_token,
    ("POST", "/repos/{owner}/{repo}/check-runs"): FakeGitHub._create_check_run,
    ("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}"): FakeGitHub._patch_check_run,
    ("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}"): FakeGitHub._get_check_run,
    ("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations"): FakeGitHub._list_annotations,
    ("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs"): FakeGitHub._runs_for_ref,
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"): FakeGitHub._list_comments,
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"): FakeGitHub._create_comment,
    ("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}"): FakeGitHub._get_comment,
    ("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}"): FakeGitHub._patch_comment,
    ("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}"): FakeGitHub._delete_comment,
    ("GET", "/repos/{owner}/{repo}/git/trees/{tree_sha}"): FakeGitHub._get_tree,
}


def _manifest_page(path: str) -> bool:
    parts = path.strip("/").split("/")
    return parts == ["settings", "apps", "new"] or (
        len(parts) == 5 and parts[0] == "organizations" and parts[2:] == ["settings", "apps", "new"])


def _install_page(path: str) -> bool:
    parts = path.strip("/").split("/")
    return len(parts) == 4 and parts[0] == "apps" and parts[2:] == ["installations", "new"]


def _serves(canned: _Canned, call: Call) -> bool:
    return (canned.method == call.method and canned.template == call.template
            and all(call.params.get(k) == v for k, v in canned.params.items()))


def _applies(injection: _Injection, call: Call) -> bool:
    return ((injection.method is None or injection.method == call.method)
            and (injection.template is None or injection.template == call.template)
            and all(call.params.get(k) == v for k, v in injection.params.items()))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"{kind}{number}".encode()).decode()


def _public(record: dict[str, Any]) -> dict[str, Any]:
    """A model record without its private `_` keys, deep enough that callers cannot mutate the model."""
    copy: dict[str, Any] = jsonlib.loads(jsonlib.dumps({k: v for k, v in record.items() if k[0] != "_"}))
    return copy


def _blob_sha(data: bytes) -> str:
    """Git's object id of a blob: what trees list and the contents API answers as ``sha``."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _not_found() -> Reply:
    return Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})


def _as_reply(result: Any) -> Reply | Response:
    if isinstance(result, Reply | Response):
        return result
    if isinstance(result, tuple):
        status, payload = result
        return Reply(status, payload)
    return Reply(200, result)


def _render(reply: Reply) -> Response:
    reset = str(int(time.time()) + 3600)
    headers = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999", "x-ratelimit-used": "1",
               "x-ratelimit-reset": reset, "x-ratelimit-resource": "core",
               "x-github-request-id": secrets.token_hex(8).upper(), "x-github-media-type": "github.v3"}
    headers.update({k.lower(): v for k, v in reply.headers.items()})
    if reply.json is not _UNSET:
        content = jsonlib.dumps(reply.json).encode()
        media_type = reply.content_type or "application/json; charset=utf-8"
    else:
        raw = reply.body or b""
        content = raw.encode() if isinstance(raw, str) else raw
        media_type = reply.content_type or ("text/plain; charset=utf-8" if content else "")
    if reply.status in (204, 304):
        content, media_type = b"", ""
    return Response(content, reply.status, headers=headers, media_type=media_type)
