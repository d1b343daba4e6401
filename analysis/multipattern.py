"""The extraction's candidate search: one Hyperscan database of every rule's pattern, scanned over the raw
bytes of a chunk of log, says which lines some rule may match; only those lines are decoded and cleaned.

Why Hyperscan rather than RE2's ``Set`` (both automata, linear in the text): measured on the log of
``python -m benchmarks extract`` (2 cores shared with other work, so absolute figures are low), RE2's
``Set.Match`` on each line of 10 MB took 0.17 s of CPU (59 MB/s, 1.9 µs a line through google-re2's
binding) for the search alone, on lines already decoded, and it answers *which* patterns match a text, not
*where*: one call per line is the only way to know which lines matched (one call on the whole 10 MB takes
0.05 s and only says which patterns occur somewhere). Hyperscan reports (pattern, end offset) for every
pattern in one pass over a whole chunk, in C: this table's database scans 20 MB of that log in 0.10-0.11 s
(180-200 MB/s, with one Python callback per line and rule that matched), and lines never leave C unless a
rule may match them. It also takes raw bytes, so nothing is decoded, lowercased or split beforehand.

The wheel is pinned to ``hyperscan==0.6.0`` (Intel Hyperscan 5.4.2): the later wheels bundle Vectorscan
5.4.11-5.4.12, and 5.4.12 drops matches when some expressions share a database (gradle's "N tests completed,
N failed" beside phpunit's "N) Class::test" misses the phpunit line of a phpunit log).

The database is built from the rule table (``analysis.rules.RULES``) at import, each pattern translated by
``analysis.byte_patterns`` into expressions over raw bytes that match a superset of the lines the pattern
matches once cleaned; a rule whose pattern cannot be translated is simply not filtered (its needles decide,
as before). The compiled database (0.5-1 s to compile) is cached under ``~/.cache/ci-triage`` by a hash of what
its expressions are made from (the patterns and the translating code), so a rule added to the table joins it
with no other change.

What the scan reports for each chunk (``Candidates``):

- ``flags``: line index -> bit set of the rules whose translated pattern matched the line, scanned with its
  colour codes removed (CSI codes, and those in caret notation on lines without an ESC),
- ``dirty``: lines where cleaning changes more than CSI codes and a runner timestamp (control bytes, other
  escapes, colour codes that lost their ESC, ``gh run view`` columns; the caller adds over-long lines): the
  caller cleans them and scans them again cleaned (``scan_clean``).

Exactness: the rule a line gets is still decided by the per-line code (needles, ``starts``, regex,
``unless``, exclusions) on the cleaned line; the database only skips lines and rules that cannot match.
``tests/analysis/test_multipattern.py`` compares both paths on the golden cases and the corpora.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import hyperscan

from . import byte_patterns, regex
from .byte_patterns import Untranslatable, stamp_superset, translate
from .lines import _STAMP as STAMP_PATTERN
from .regex import compile_linear
from .rules import RULES, Role

# The runner timestamp ``analysis.lines.clean`` removes, without its ``gh run view`` columns (lines with
# those are dirty): a prefix of every anchored expression, kept short.
_COLUMNS = r"(?:[^\t]{1,200}\t[^\t]{0,200}\t)?"
STAMP = STAMP_PATTERN.pattern.replace(_COLUMNS, "")
RULE_COUNT = len(RULES)
DIRTY_ID = RULE_COUNT
ZERO_TALLY_ID = RULE_COUNT + 1
NONZERO_TALLY_ID = RULE_COUNT + 2
# Scanned on the chunk with its CSI codes removed (``scan``): what cleaning would still change there.
_DIRTY = (
    rb"[\x00-\x08\x0b-\x1f\x7f][^\n]*$",  # control bytes (an ESC left: an escape other than CSI)
    rb"(?:\xef\xbb\xbf|\xef\xbf\xbe)[^\n]*$",  # U+FEFF, U+FFFE
    rb"^[^\t\n]+\x09[^\t\n]*\x09",  # ``gh run view --log`` columns before the timestamp
    rb"\x5e\x5b\x5b[^\n]*$",  # "^[[": an escape printed in caret notation
    rb"\x5b[0-9]{1,3}(?:\x3b[0-9]{1,3}){0,4}\x6d[^\n]*$",  # "[31m": a colour code that lost its ESC
)
# A tally of zero ("Failures: 0", Surefire's ``Tests run: 1, Failures: 0, Errors: 0``, a sixth of the lines the
# database picks in the benchmark's log) is the first exclusion of ``analysis.rules``: when no non-zero tally
# follows it, the line matches no fallback. These two decide it for the lines only fallbacks may match, so they
# never leave C. ``_ZERO`` matches only where that exclusion's pattern (and one of its needles) does, once
# cleaned: a runner timestamp holds no "error"/"fail", and one with no space before the word keeps ``\b``
# from holding (the line is then tried as before). ``_NONZERO`` matches wherever the exclusion's non-zero
# tally does and more (no ``\b``), so a line it reports keeps its Python check.
_ZERO = rb"\b(?:errors?|failures?|failed)[:=] ?0(?:[^\w.\n][^\n]*)?$"
_NONZERO = rb"(?:errors?|failures?|failed)[:=] ?[1-9][^\n]*$"
# CSI colour codes, as the per-line needle pass and ``clean`` remove them; run over the joined coloured lines
# of a chunk (about 1 MB at most), so Python's engine runs up to that length (the pattern is linear there:
# its three classes are disjoint).
CSI = compile_linear(r"\x1b\[[0-?]*[ -/]*[@-~]", fast_chars=1 << 21)
# Colour codes printed in caret notation (``^[[32mPASSED^[[0m``: pytest-xdist through some runners), removed
# before the scan as ``analysis.lines.clean`` removes them, so such a line is not dirty. Removed apart from CSI
# codes (one alternation of both is 3-4x slower on a chunk): the two passes remove what ``clean``'s one pass
# does on a line that has only one kind; a line with both is left dirty (``_carets_beside_escapes``).
CARET = compile_linear(r"\^\[\[[0-?]*[ -/]*[@-~]", fast_chars=1 << 21)
GENERIC_MASK = sum(1 << i for i, rule in enumerate(RULES) if rule.role is Role.GENERIC)
_PACK = 12  # bits of the id in a packed (offset, id) report
assert NONZERO_TALLY_ID < 1 << _PACK


def _expressions() -> tuple[list[bytes], list[int], list[int], int]:
    """Expressions, ids and flags of the database, and the mask of rules it cannot filter."""
    stamp = stamp_superset(STAMP, STAMP_PATTERN.flags)
    exprs: list[bytes] = []
    ids: list[int] = []
    flags: list[int] = []
    unfiltered = 0
    for index, rule in enumerate(RULES):
        try:
            texts, caseless = translate(rule.pattern.pattern, rule.pattern.flags, stamp)
        except Untranslatable:
            unfiltered |= 1 << index
            continue
        flag = hyperscan.HS_FLAG_MULTILINE | (hyperscan.HS_FLAG_CASELESS if caseless else 0)
        for text in texts:
            if "$" not in text:  # to the line's end: one report per line, not one per occurrence
                text = f"(?:{text})[^\\n]*$"
            exprs.append(text.encode("ascii"))
            ids.append(index)
            flags.append(flag)
    for pattern in _DIRTY:
        exprs.append(pattern)
        ids.append(DIRTY_ID)
        flags.append(hyperscan.HS_FLAG_MULTILINE)
    for pattern, tally in ((_ZERO, ZERO_TALLY_ID), (_NONZERO, NONZERO_TALLY_ID)):
        exprs.append(pattern)
        ids.append(tally)
        flags.append(hyperscan.HS_FLAG_MULTILINE | hyperscan.HS_FLAG_CASELESS)
    return exprs, ids, flags, unfiltered


def _compile(exprs: list[bytes], ids: list[int], flags: list[int]) -> tuple[hyperscan.Database, int]:
    """Compile, dropping (to unfiltered) the rules Hyperscan rejects one by one; returns their mask."""
    rejected = 0
    while True:
        db = hyperscan.Database()
        try:
            db.compile(expressions=exprs, ids=ids, elements=len(exprs), flags=flags)
            return db, rejected
        except hyperscan.error as exc:
            bad = _first_rejected(exprs, ids, flags)
            if bad is None:
                raise exc
            rejected |= 1 << bad
            keep = [i for i, rule in enumerate(ids) if rule != bad]
            exprs, ids, flags = [exprs[i] for i in keep], [ids[i] for i in keep], [flags[i] for i in keep]


def _first_rejected(exprs: list[bytes], ids: list[int], flags: list[int]) -> int | None:
    for expr, rule, flag in zip(exprs, ids, flags, strict=True):
        try:
            hyperscan.Database().compile(expressions=[expr], ids=[rule], elements=1, flags=[flag])
        except hyperscan.error:
            if rule < RULE_COUNT:
                return rule
            raise
    return None


def _cache_dir() -> Path | None:
    """The user's own cache folder (never a shared one: a database file is loaded as it is), or None."""
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except RuntimeError:  # no home directory: compile in each process
        return None
    return Path(base) / "ci-triage"


def _source_digest() -> str | None:
    """What the expressions are a function of: the rules' patterns, the timestamp's, the code that translates
    them (this module, ``byte_patterns``, ``regex``'s parser) and the interpreter and Hyperscan versions. A
    cached database is found by this digest, so start-up translates no pattern (0.1 s of CPU a process).
    None when the code cannot be read (a frozen build): then the database is found by its expressions."""
    digest = hashlib.sha256()
    for pattern in [rule.pattern for rule in RULES] + [STAMP_PATTERN]:
        digest.update(b"%d %s\n" % (pattern.flags, pattern.pattern.encode("utf-8", "surrogatepass")))
    try:
        for module in (__file__, byte_patterns.__file__, regex.__file__):
            digest.update(Path(module or "").read_bytes())
    except OSError:
        return None
    digest.update(sys.version.encode())
    digest.update(getattr(hyperscan, "__version__", "").encode())
    return digest.hexdigest()[:24]


def _expressions_digest(exprs: list[bytes], ids: list[int], flags: list[int]) -> str:
    digest = hashlib.sha256()
    for expr, rule, flag in zip(exprs, ids, flags, strict=True):
        digest.update(b"%d %d %s\n" % (rule, flag, expr))
    digest.update(getattr(hyperscan, "__version__", "").encode())
    return "x" + digest.hexdigest()[:23]


def _load() -> tuple[hyperscan.Database, int]:
    """The database and the mask of the rules it does not filter: from the cache, else compiled (and cached)."""
    folder = _cache_dir()
    key = _source_digest()
    translated = None
    if key is None:
        translated = _expressions()
        key = _expressions_digest(*translated[:3])
    path = folder / f"rules-{key}.hsdb" if folder is not None else None
    if path is not None:
        try:
            blob = path.read_bytes()
            unfiltered = int.from_bytes(blob[:64], "big")
            return hyperscan.loadb(blob[64:], hyperscan.HS_MODE_BLOCK), unfiltered
        except (OSError, hyperscan.error, ValueError):
            pass
    exprs, ids, flags, unfiltered = translated or _expressions()
    db, rejected = _compile(exprs, ids, flags)
    unfiltered |= rejected
    if path is None:
        return db, unfiltered
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(unfiltered.to_bytes(64, "big") + hyperscan.dumpb(db))
        os.replace(handle.name, path)
    except OSError:
        pass  # a read-only home: compile again next time
    return db, unfiltered


_DB, UNFILTERED = _load()
_LOCAL = threading.local()  # a scratch space serves one scan at a time: one per thread


def _scratch() -> hyperscan.Scratch:
    scratch = getattr(_LOCAL, "scratch", None)
    if scratch is None:
        scratch = _LOCAL.scratch = hyperscan.Scratch(_DB)
    return scratch


@dataclass
class Candidates:
    """What one scan of a chunk found; line indexes count from the chunk's first line (0)."""

    flags: dict[int, int] = field(default_factory=dict)
    dirty: set[int] = field(default_factory=set)


def _reports(data: bytes) -> list[int]:
    found: list[int] = []
    append = found.append

    def on_match(rule: int, start: int, end: int, flags: int, context: object) -> None:
        append((end << _PACK) | rule)

    _DB.scan(data, match_event_handler=on_match, scratch=_scratch())
    found.sort()
    return found


def _carets_beside_escapes(data: bytes) -> list[int]:
    """Indexes of the lines that hold both a caret-notation code and an ESC: dirty (see ``CARET``)."""
    found: list[int] = []
    index = 0
    counted = 0
    at = data.find(b"^[[")
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        if data.find(b"\x1b", start, end) >= 0:
            index += data.count(b"\n", counted, start)
            counted = start
            found.append(index)
        at = data.find(b"^[[", end)
    return found


def colour_free(data: bytes) -> tuple[bytes, list[int]]:
    """``data`` with its colour codes removed (``CARET``, then ``CSI``), and the indexes of the lines that held
    both kinds (dirty). The codes hold no line break: line numbers stay."""
    mixed: list[int] = []
    if b"^[[" in data:
        if b"\x1b" in data:
            mixed = _carets_beside_escapes(data)
        data = CARET.sub("", data.decode("latin-1")).encode("latin-1")
    if b"\x1b" in data:
        data = CSI.sub("", data.decode("latin-1")).encode("latin-1")
    return data, mixed


def engine_only(data: bytes) -> None:
    """The database's scan of ``data`` with no report handled: what the C engine alone costs (the benchmark's
    stages, ``benchmarks.extract_stages``)."""
    _DB.scan(data, scratch=_scratch())


def scan(data: bytes) -> Candidates:
    """``data``: a chunk's lines joined by ``\\n`` (no other line break, no final one). Scanned once, with its
    colour codes removed (``CARET``, ``CSI``; they hold no line break: line numbers stay). Lines longer than
    cleaning keeps (``MAX_LINE_CHARS``) are the caller's to mark dirty."""
    out = Candidates()
    if not data:
        return out
    data, mixed = colour_free(data)
    out.dirty.update(mixed)
    index = 0
    last = 0
    mask = (1 << _PACK) - 1
    flags = out.flags
    tallies: dict[int, int] = {}
    count = data.count
    for packed in _reports(data):
        rule = packed & mask
        position = (packed >> _PACK) - 1  # the line's last byte (no expression matches an empty string)
        if position > last:
            index += count(b"\n", last, position)
            last = position
        if rule < RULE_COUNT:
            flags[index] = flags.get(index, 0) | (1 << rule)
        elif rule == DIRTY_ID:
            out.dirty.add(index)
        else:
            tallies[index] = tallies.get(index, 0) | (1 << (rule - ZERO_TALLY_ID))
    fallbacks_only = ~GENERIC_MASK
    for index, tally in tallies.items():  # 1: a zero tally and no non-zero one: only fallbacks would match
        if tally == 1 and not (flags.get(index, 0) | UNFILTERED) & fallbacks_only and index not in out.dirty:
            flags.pop(index, None)
    return out


def scan_clean(lines: list[str]) -> list[int]:
    """Rule bits for each of ``lines``, already cleaned (``analysis.lines.clean``): the translated patterns
    hold on a cleaned line whatever its raw form was (colours, control bytes, a cut)."""
    flags = [0] * len(lines)
    if not lines:
        return flags
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    index = 0
    last = 0
    mask = (1 << _PACK) - 1
    for packed in _reports(data):
        rule = packed & mask
        if rule >= RULE_COUNT:  # dirt, tallies: this line is already cleaned
            continue
        position = (packed >> _PACK) - 1
        if position > last:
            index += data.count(b"\n", last, position)
            last = position
        flags[index] |= 1 << rule
    return flags
