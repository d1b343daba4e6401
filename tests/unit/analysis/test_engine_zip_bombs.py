"""Zip bombs in the run-logs and JUnit-artifact paths: bounded memory and time, and a truncation note."""

from __future__ import annotations

import io
import resource
import struct
import time
import zipfile

import pytest

from analysis.runlogs import analyze_zip

FAIL_LOG = b"2024-01-01T00:00:00.0000000Z ##[error]Process completed with exit code 1.\n"
JUNIT = (b'<?xml version="1.0"?><testsuite name="s" tests="1" failures="1">'
         b'<testcase classname="a.B" name="test_x"><failure message="boom">boom</failure></testcase></testsuite>')
CAP = 1 << 20  # 1 MB per member


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return out.getvalue()


def _zeros_member(archive: zipfile.ZipFile, name: str, size: int) -> None:
    with archive.open(name, "w", force_zip64=True) as member:
        block = b"\0" * (1 << 20)
        for _ in range(size >> 20):
            member.write(block)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_huge_member_is_streamed_to_the_cap() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("1_build.txt", FAIL_LOG)
        _zeros_member(archive, "2_bomb.txt", 512 << 20)  # 512 MB of zeros in ~0.5 MB
    data = out.getvalue()
    assert len(data) < 2 << 20
    before, started = _rss_mb(), time.monotonic()
    result = analyze_zip(data, budget=20, byte_cap=CAP)
    assert time.monotonic() - started < 20
    assert _rss_mb() - before < 200
    assert result.truncated and "truncated" in result.summary
    assert any(f.member == "1_build.txt" for f in result.failures)


def _patch_declared_size(data: bytes, name: bytes, size: int) -> bytes:
    """Make the central directory and local header of ``name`` declare ``size`` uncompressed bytes."""
    buf = bytearray(data)
    local = buf.find(b"PK\x03\x04" + b"\x00" * 0)  # first local header
    while local != -1:
        name_len = struct.unpack_from("<H", buf, local + 26)[0]
        if bytes(buf[local + 30 : local + 30 + name_len]) == name:
            struct.pack_into("<I", buf, local + 22, size)
        local = buf.find(b"PK\x03\x04", local + 4)
    central = buf.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", buf, central + 28)[0]
        if bytes(buf[central + 46 : central + 46 + name_len]) == name:
            struct.pack_into("<I", buf, central + 24, size)
        central = buf.find(b"PK\x01\x02", central + 4)
    return bytes(buf)


def test_member_lying_about_its_size_is_skipped_not_fatal() -> None:
    data = _zip([("1_build.txt", FAIL_LOG), ("2_liar.txt", b"x" * (8 << 20))])
    data = _patch_declared_size(data, b"2_liar.txt", 100)
    result = analyze_zip(data, budget=20, byte_cap=CAP)
    assert result.truncated
    assert [f.member for f in result.failures] == ["1_build.txt"]


def test_junit_member_bomb_is_not_read_into_memory() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("report.xml", JUNIT)
        _zeros_member(archive, "bomb.xml", 1 << 30)  # 1 GB declared and real
    before = _rss_mb()
    result = analyze_zip(out.getvalue(), budget=20, byte_cap=CAP)
    assert _rss_mb() - before < 200
    assert result.truncated
    assert [f.test_id for f in result.failures if f.member == "report.xml"]


def test_lying_junit_member_is_skipped() -> None:
    data = _patch_declared_size(_zip([("a.xml", JUNIT), ("b.xml", b" " * (8 << 20) + JUNIT)]), b"b.xml", 10)
    result = analyze_zip(data, budget=20, byte_cap=CAP)
    assert result.truncated and {f.member for f in result.failures} == {"a.xml"}


def test_thousands_of_members_are_bounded_in_time() -> None:
    member = b"\n" * (CAP - 1)  # each just under the cap: analysed in full, and compresses ~1000:1
    data = _zip([("1_build.txt", FAIL_LOG)] + [(f"{n + 2}_job{n}.txt", member) for n in range(3000)])
    started = time.monotonic()
    result = analyze_zip(data, budget=20, byte_cap=CAP)
    assert time.monotonic() - started < 60  # without a total cap: 2,000 MB of lines
    assert result.truncated and "truncated" in result.summary
    assert any(f.member == "1_build.txt" for f in result.failures)


def test_nested_zip_is_not_expanded() -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        _zeros_member(archive, "inner.txt", 64 << 20)
    data = _zip([("1_build.txt", FAIL_LOG), ("nested.zip", inner.getvalue()), ("2_more.zip", inner.getvalue())])
    result = analyze_zip(data, budget=20, byte_cap=CAP)
    assert [f.member for f in result.failures] == ["1_build.txt"]


def test_not_a_zip_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not a readable zip"):
        analyze_zip(b"PK\x03\x04 truncated garbage", budget=20, byte_cap=CAP)
