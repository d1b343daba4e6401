"""``.github/ci-triage.yml``: schema, defaults and validation. Pure: text in, ``RepoConfig`` + errors out.

A bad value never stops triage: the setting falls back to its default and the error (with the key's path and
what is wrong) is shown in the check run, so the repository's maintainers see and fix it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Any

import yaml

from analysis.regex import compile_linear
from snapshot.capture import Viewport

from ..conclusions import CHECK_RUN_CONCLUSIONS as CONCLUSIONS
from ..snapshots.config import MAX_ROUTES, SnapshotConfig
from ..snapshots.preview import PreviewTemplateError, validate_template

_TEMPLATE_FIELD = compile_linear(r"\{([^{}]*)\}")

CONFIG_PATH = ".github/ci-triage.yml"
MAX_BYTES = 64 * 1024
_EMAIL = compile_linear(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_TEMPLATE_FIELDS = ("pr", "sha", "branch")


def matches(name: str, pattern: str) -> bool:
    """An exact name, or a glob when the pattern has ``*`` (pytest ids hold ``[param]``, which a glob would read
    as a character class; the same rule as ``/triage quarantine``)."""
    return name == pattern or ("*" in pattern and fnmatchcase(name, pattern))


@dataclass(frozen=True)
class ConfigError:
    path: str  # dotted key path, e.g. "snapshot.viewport.width"; "(file)" for the file itself
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass(frozen=True)
class Comments:
    enabled: bool = True
    skip_when_all_flaky: bool = True
    update_on_success: bool = True


@dataclass(frozen=True)
class Conclusion:
    """The check run's conclusion per verdict present (the most severe wins): by default only failures the
    change caused (``new``) fail it; ``conclusion: strict`` fails it for any failure."""

    new: str = "failure"
    pre_existing: str = "neutral"  # failing on the base branch too (YAML key ``pre-existing``; ``known`` too)
    flaky: str = "neutral"
    infra: str = "neutral"
    unidentified: str = "neutral"


STRICT_CONCLUSION = Conclusion(*(("failure",) * 5))
CONCLUSION_MODES = ("default", "strict")
CONCLUSION_KEYS = {"new": "new", "pre-existing": "pre_existing", "known": "pre_existing", "flaky": "flaky",
                   "infra": "infra", "unidentified": "unidentified"}


@dataclass(frozen=True)
class Notifications:
    slack: bool = False
    email: tuple[str, ...] = ()
    when: str = "new"  # new: only when a run has new failures; always: every triaged failure


@dataclass(frozen=True)
class Thresholds:
    similarity: float = 0.85
    flake_rate: float = 0.2


@dataclass(frozen=True)
class Ignore:
    jobs: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()

    def job(self, name: str) -> bool:
        return any(matches(name, pattern) for pattern in self.jobs)

    def step(self, name: str) -> bool:
        return any(matches(name, pattern) for pattern in self.steps)


@dataclass(frozen=True)
class Junit:
    artifact: str | None = "*junit*"  # artifact name glob; null turns JUnit downloads off


DEFAULT_SNAPSHOT = SnapshotConfig()  # frozen: one shared default


@dataclass(frozen=True)
class RepoConfig:
    comments: Comments = Comments()
    conclusion: Conclusion = Conclusion()
    snapshot: SnapshotConfig = DEFAULT_SNAPSHOT
    notifications: Notifications = Notifications()
    thresholds: Thresholds = Thresholds()
    test_map: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (changed-file glob, tests) in file order
    quarantine: tuple[str, ...] = ()  # test ids or globs
    ignore: Ignore = Ignore()
    junit: Junit = Junit()
    max_annotations: int = 100

    def quarantined(self, test_id: str | None) -> bool:
        if not test_id:
            return False
        return any(matches(test_id, pattern) for pattern in self.quarantine)

    def tests_for(self, changed_files: list[str]) -> list[str]:
        tests: list[str] = []
        for pattern, mapped in self.test_map:
            if any(fnmatchcase(path, pattern) for path in changed_files):
                tests.extend(t for t in mapped if t not in tests)
        return tests


@dataclass(frozen=True)
class ParsedConfig:
    config: RepoConfig
    errors: tuple[ConfigError, ...] = ()

    @property
    def snapshot_valid(self) -> bool:
        """No error in the ``snapshot`` section: a preview is captured only as configured, never with a
        default standing in for a value the file got wrong (the errors are in the check run)."""
        return not any(e.path == "snapshot" or e.path.startswith("snapshot.") for e in self.errors)


# --- a small declarative schema: each node turns raw YAML into a value or records an error -------------

Errors = list[ConfigError]


class _Invalid(Exception):
    def __init__(self, problem: str) -> None:
        self.problem = problem


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def _got(value: Any) -> str:
    text = repr(value)
    return f"{_type_name(value)} ({text[:60]}{'…' if len(text) > 60 else ''})"


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"must be true or false, got {_got(value)}")
    return value


def _int(lo: int, hi: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(f"must be an integer from {lo} to {hi}, got {_got(value)}")
        if not lo <= value <= hi:
            raise _Invalid(f"must be from {lo} to {hi}, got {value}")
        return value

    return check


def _ratio(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(f"must be a number from 0 to 1, got {_got(value)}")
    if not 0.0 <= float(value) <= 1.0:
        raise _Invalid(f"must be from 0 to 1, got {value}")
    return float(value)


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise _Invalid(f"must be one of {', '.join(options)}, got {_got(value)}")
        return str(value)

    return check


def _text(max_len: int = 500, *, optional: bool = False) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise _Invalid(f"must be a non-empty string{' or null' if optional else ''}, got {_got(value)}")
        if len(value) > max_len:
            raise _Invalid(f"must be at most {max_len} characters, got {len(value)}")
        return value

    return check


def _preview_url(value: Any) -> str | None:
    url = _text(2_000, optional=True)(value)
    if url is None:
        return None
    if not url.startswith(("https://", "http://")):
        raise _Invalid(f"must be an http(s) URL template, got {url[:60]!r}")
    for name in _TEMPLATE_FIELD.findall(url):
        if name not in _TEMPLATE_FIELDS:
            raise _Invalid(f"unknown placeholder {{{name}}}; use {', '.join('{' + f + '}' for f in _TEMPLATE_FIELDS)}")
    try:
        return validate_template(url)
    except PreviewTemplateError as exc:
        raise _Invalid(str(exc)) from None


def _route(value: Any) -> str:
    route = _text(500)(value)
    assert route is not None
    if not route.startswith("/") or route.startswith("//"):
        raise _Invalid(f"must be a path starting with '/', got {route[:60]!r}")
    return route


def _email(value: Any) -> str:
    address = _text(254)(value)
    assert address is not None
    if not _EMAIL.match(address.strip()):
        raise _Invalid(f"is not an email address: {address[:60]!r}")
    return address.strip()


def _glob(value: Any) -> str:
    pattern = _text(300)(value)
    assert pattern is not None
    return pattern


def _list(item: Callable[[Any], Any], *, max_items: int) -> Callable[[Any, str, Errors], tuple[Any, ...]]:
    """Lists accept a single scalar too (``email: a@b.c``); bad items are dropped one by one."""

    def check(value: Any, path: str, errors: Errors) -> tuple[Any, ...]:
        items = value if isinstance(value, list) else [value]
        if len(items) > max_items:
            errors.append(ConfigError(path, f"at most {max_items} items; the first {max_items} are used"))
            items = items[:max_items]
        out = []
        for index, raw in enumerate(items):
            try:
                out.append(item(raw))
            except _Invalid as exc:
                errors.append(ConfigError(f"{path}[{index}]", exc.problem))
        return tuple(out)

    return check


def _unknown(keys: list[Any], known: list[str], path: str, errors: Errors) -> None:
    for key in keys:
        if key in known:
            continue
        where = f"{path}.{key}" if path else str(key)
        hint = difflib.get_close_matches(str(key), known, n=1)
        suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; known keys: {', '.join(known)}"
        errors.append(ConfigError(where, "unknown key" + suggestion))


def _section(raw: Any, path: str, errors: Errors) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(ConfigError(path, f"must be a mapping, got {_got(raw)}; defaults used"))
        return {}
    return raw


def _field(
    data: Mapping[str, Any], key: str, path: str, check: Callable[[Any], Any], default: Any, errors: Errors
) -> Any:
    if key not in data:
        return default
    try:
        return check(data[key])
    except _Invalid as exc:
        errors.append(ConfigError(f"{path}.{key}" if path else key, exc.problem))
        return default


def _fields(raw: Any, path: str, errors: Errors, spec: dict[str, tuple[Callable[[Any], Any], Any]]) -> dict[str, Any]:
    data = _section(raw, path, errors)
    _unknown(list(data), list(spec), path, errors)
    return {key: _field(data, key, path, check, default, errors) for key, (check, default) in spec.items()}


def _conclusion(raw: Any, errors: Errors) -> Conclusion:
    """``strict`` (every failure fails the check run), ``default``, or a mapping of verdict -> conclusion."""
    if isinstance(raw, str):
        if raw not in CONCLUSION_MODES:
            errors.append(ConfigError("conclusion", f"must be one of {', '.join(CONCLUSION_MODES)} or a mapping, "
                                                    f"got {_got(raw)}"))
            return Conclusion()
        return STRICT_CONCLUSION if raw == "strict" else Conclusion()
    data = _section(raw, "conclusion", errors)
    _unknown(list(data), list(CONCLUSION_KEYS), "conclusion", errors)
    d = Conclusion()
    values = {
        CONCLUSION_KEYS[key]: _field(data, key, "conclusion", _choice(CONCLUSIONS), getattr(d, CONCLUSION_KEYS[key]),
                                     errors)
        for key in CONCLUSION_KEYS
        if key in data
    }
    return replace(d, **values)


def _listed(
    data: Mapping[str, Any],
    key: str,
    path: str,
    check: Callable[[Any, str, Errors], tuple[Any, ...]],
    default: tuple[Any, ...],
    errors: Errors,
) -> tuple[Any, ...]:
    if key not in data or data[key] is None:
        return default
    return check(data[key], f"{path}.{key}" if path else key, errors)


TOP_LEVEL = [
    "version",
    "comments",
    "conclusion",
    "snapshot",
    "notifications",
    "thresholds",
    "test_map",
    "quarantine",
    "ignore",
    "junit",
    "annotations",
]


def validate(raw: Any) -> ParsedConfig:
    """Validate parsed YAML. Every problem becomes a ``ConfigError``; its setting keeps its default."""
    errors: Errors = []
    d = RepoConfig()
    if raw is None:
        return ParsedConfig(d)
    if not isinstance(raw, dict):
        return ParsedConfig(d, (ConfigError("(file)", f"must be a mapping of settings, got {_got(raw)}"),))
    _unknown(list(raw), TOP_LEVEL, "", errors)
    if "version" in raw and raw["version"] != 1:
        errors.append(ConfigError("version", f"must be 1, got {_got(raw['version'])}"))

    c = _fields(
        raw.get("comments"),
        "comments",
        errors,
        {
            "enabled": (_bool, d.comments.enabled),
            "skip_when_all_flaky": (_bool, d.comments.skip_when_all_flaky),
            "update_on_success": (_bool, d.comments.update_on_success),
        },
    )
    conclusion = _conclusion(raw.get("conclusion"), errors)

    snap_raw = _section(raw.get("snapshot"), "snapshot", errors)
    snap_keys = [
        "enabled",
        "preview_url",
        "routes",
        "viewport",
        "wait_for_selector",
        "timeout_seconds",
        "baseline",
    ]
    _unknown(list(snap_raw), snap_keys, "snapshot", errors)
    vp = _fields(
        snap_raw.get("viewport"),
        "snapshot.viewport",
        errors,
        {
            "width": (_int(200, 4096), d.snapshot.viewport.width),
            "height": (_int(200, 4096), d.snapshot.viewport.height),
        },
    )
    snapshot = SnapshotConfig(
        enabled=_field(snap_raw, "enabled", "snapshot", _bool, d.snapshot.enabled, errors),
        preview_url=_field(snap_raw, "preview_url", "snapshot", _preview_url, d.snapshot.preview_url, errors),
        routes=tuple(
            dict.fromkeys(
                _listed(snap_raw, "routes", "snapshot", _list(_route, max_items=MAX_ROUTES), d.snapshot.routes, errors)
                or d.snapshot.routes
            )
        ),
        viewport=Viewport(**vp),
        wait_for_selector=_field(
            snap_raw,
            "wait_for_selector",
            "snapshot",
            _text(500, optional=True),
            d.snapshot.wait_for_selector,
            errors,
        ),
        timeout_seconds=float(
            _field(snap_raw, "timeout_seconds", "snapshot", _int(1, 120), d.snapshot.timeout_seconds, errors)
        ),
        baseline=_field(snap_raw, "baseline", "snapshot", _bool, d.snapshot.baseline, errors),
    )

    note_raw = _section(raw.get("notifications"), "notifications", errors)
    _unknown(list(note_raw), ["slack", "email", "when"], "notifications", errors)
    notifications = Notifications(
        slack=_field(note_raw, "slack", "notifications", _bool, d.notifications.slack, errors),
        email=_listed(note_raw, "email", "notifications", _list(_email, max_items=20), (), errors),
        when=_field(note_raw, "when", "notifications", _choice(("new", "always")), d.notifications.when, errors),
    )

    th = _fields(
        raw.get("thresholds"),
        "thresholds",
        errors,
        {
            "similarity": (_ratio, d.thresholds.similarity),
            "flake_rate": (_ratio, d.thresholds.flake_rate),
        },
    )

    test_map: list[tuple[str, tuple[str, ...]]] = []
    tm_raw = _section(raw.get("test_map"), "test_map", errors)
    if len(tm_raw) > 500:
        errors.append(ConfigError("test_map", "at most 500 entries; the first 500 are used"))
    for key in list(tm_raw)[:500]:
        path = f"test_map.{key}"
        if not isinstance(key, str) or not key.strip():
            errors.append(ConfigError(path, f"keys must be file globs (strings), got {_got(key)}"))
            continue
        tests = _list(_text(500), max_items=200)(tm_raw[key], path, errors) if tm_raw[key] is not None else ()
        test_map.append((key, tests))

    quarantine = _listed(raw, "quarantine", "", _list(_glob, max_items=1000), (), errors)

    ig = _section(raw.get("ignore"), "ignore", errors)
    _unknown(list(ig), ["jobs", "steps"], "ignore", errors)
    ignore = Ignore(
        jobs=_listed(ig, "jobs", "ignore", _list(_glob, max_items=200), (), errors),
        steps=_listed(ig, "steps", "ignore", _list(_glob, max_items=200), (), errors),
    )

    ju = _fields(raw.get("junit"), "junit", errors, {"artifact": (_text(300, optional=True), d.junit.artifact)})
    an = _fields(raw.get("annotations"), "annotations", errors, {"max": (_int(0, 1000), d.max_annotations)})

    config = RepoConfig(
        comments=Comments(**c),
        conclusion=conclusion,
        snapshot=snapshot,
        notifications=notifications,
        thresholds=Thresholds(**th),
        test_map=tuple(test_map),
        quarantine=quarantine,
        ignore=ignore,
        junit=Junit(**ju),
        max_annotations=an["max"],
    )
    return ParsedConfig(config, tuple(errors))


def parse_config(text: str | bytes | None) -> ParsedConfig:
    """Parse the file's contents (None: no file). Syntax errors name the line and column."""
    if text is None:
        return ParsedConfig(RepoConfig())
    size = len(text if isinstance(text, bytes) else text.encode("utf-8", "replace"))
    if size > MAX_BYTES:
        return ParsedConfig(
            RepoConfig(),
            (ConfigError("(file)", f"is {size} bytes, over the limit of {MAX_BYTES}; defaults used"),),
        )
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            return ParsedConfig(RepoConfig(), (ConfigError("(file)", "is not UTF-8 text; defaults used"),))
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return ParsedConfig(RepoConfig(), (ConfigError("(file)", f"invalid YAML{where}: {problem}; defaults used"),))
    return validate(raw)
