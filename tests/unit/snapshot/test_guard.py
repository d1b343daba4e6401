"""The address classifier, URL parsing and the guard's resolve-once-check-all rule."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from snapshot.guard import BlockedURL, Guard, parse_ipv4_like_browser, parse_target, refusal_reason


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),  # "this network"
        ("100.64.0.1", "shared"),  # carrier-grade NAT
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", None),  # broadcast: some reason, checked below
        ("192.0.2.1", None),  # documentation range: not global
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fd00::1", "unique-local"),
        ("fc12::1", "unique-local"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "embedding 127.0.0.1"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "embedding 169.254.169.254"),
        ("::ffff:a9fe:a9fe", "embedding 169.254.169.254"),
        ("2002:7f00:1::", "embedding 127.0.0.1"),  # 6to4 wrapping loopback
        ("64:ff9b::a00:1", "embedding 10.0.0.1"),  # NAT64 wrapping a private address
        ("fec0::1", "site-local"),
        ("2001:db8::1", None),  # documentation
    ],
)
def test_non_public_addresses_are_refused(address: str, reason: str | None) -> None:
    found = refusal_reason(ipaddress.ip_address(address))
    assert found is not None
    if reason:
        assert reason in found


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("2130706433", "127.0.0.1"),  # decimal
        ("0x7f000001", "127.0.0.1"),  # hex
        ("017700000001", "127.0.0.1"),  # octal
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),  # shorthand
        ("169.254.43518", "169.254.169.254"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("10.0.0.1.", "10.0.0.1"),  # trailing dot
        ("example.com", None),
        ("pr-12.preview.example.com", None),
    ],
)
def test_ipv4_spellings_are_read_like_a_browser(host: str, expected: str | None) -> None:
    parsed = parse_ipv4_like_browser(host)
    assert (str(parsed) if parsed else None) == expected


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.1.1.1", "foo.123", "0x1g.0.0.1"])
def test_invalid_numeric_hosts_are_errors(host: str) -> None:
    with pytest.raises(ValueError):
        parse_ipv4_like_browser(host)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("ftp://example.com/", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("http://user:pw@example.com/", "credentials"),
        ("http:///nohost", "no host"),
        ("http://[::1/", "malformed"),
    ],
)
def test_bad_urls_are_refused_before_resolving(url: str, reason: str) -> None:
    with pytest.raises(BlockedURL, match=reason):
        parse_target(url)


def test_parse_target_canonicalizes_ip_spellings() -> None:
    assert parse_target("http://0x7f.1:8080/x").host == "127.0.0.1"
    assert parse_target("http://127.0.0.%31/").host == "127.0.0.1"  # percent-encoded host
    assert parse_target("https://[::ffff:7f00:1]/").host == "::ffff:7f00:1"
    assert parse_target("https://Example.COM./a").host == "example.com"
    assert parse_target("https://example.com/").port == 443


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost.:1/",
        "http://10.0.0.5/",
        "http://169.254.169.254/latest/meta-data/",
        "http://2852039166/",
        "http://0251.0376.0251.0376/",
        "http://[::ffff:169.254.169.254]/",
        "http://[fd00::1]/",
        "http://0.0.0.0:8080/",
        "http://[::]/",
    ],
)
async def test_guard_refuses_internal_targets(url: str) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        assert host.startswith("localhost")
        return ["127.0.0.1"]

    with pytest.raises(BlockedURL):
        await Guard(resolver=resolver).check_url(url)


async def test_every_resolved_address_is_checked() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.7"]  # one internal address is enough to refuse

    with pytest.raises(BlockedURL, match=r"resolves to 10\.0\.0\.7: private"):
        await Guard(resolver=resolver).check_url("https://preview.example.com/")


async def test_host_is_resolved_once_per_guard() -> None:
    """DNS rebinding: a second lookup could answer differently; the guard never asks twice."""
    answers = [["93.184.216.34"], ["127.0.0.1"]]
    calls: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[len(calls) - 1]

    guard = Guard(resolver=resolver)
    first = await guard.check_url("https://rebind.example.com/")
    second = await guard.check_url("https://rebind.example.com/other")
    assert calls == ["rebind.example.com"]
    assert first.addresses == second.addresses == (ipaddress.ip_address("93.184.216.34"),)


async def test_allowlist_by_name_ip_and_network() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["10.2.3.4"]

    guard = Guard(["preview.internal", "127.0.0.1", "10.9.0.0/16"], resolver=resolver)
    assert (await guard.check_url("http://preview.internal/")).allowlisted
    assert (await guard.check_url("http://127.0.0.1:8080/")).allowlisted
    assert (await guard.check_url("http://10.9.1.1/")).allowlisted
    with pytest.raises(BlockedURL):
        await guard.check_url("http://169.254.169.254/")  # allowlisting loopback does not allow metadata
    with pytest.raises(BlockedURL):
        await guard.check_url("http://other.internal/")


async def test_unresolvable_host_is_refused() -> None:
    async def resolver(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    with pytest.raises(BlockedURL, match="cannot resolve"):
        await Guard(resolver=resolver).check_url("http://nowhere.invalid/")


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_ipv4_spelling_means_the_same_address(number: int) -> None:
    """Decimal, hex, octal and dotted forms of one 32-bit number all parse to it (as in a browser)."""
    address = ipaddress.IPv4Address(number)
    octets = [int(part) for part in str(address).split(".")]
    spellings = [
        str(number),
        hex(number),
        "0" + oct(number)[2:],
        ".".join(hex(o) for o in octets),
        ".".join("0" + oct(o)[2:] for o in octets),
        f"{octets[0]}.{octets[1]}.{(octets[2] << 8) + octets[3]}",  # a.b.c16
        f"{octets[0]}.{(octets[1] << 16) + (octets[2] << 8) + octets[3]}",  # a.b24
    ]
    for spelling in spellings:
        assert parse_ipv4_like_browser(spelling) == address, spelling
        assert parse_target(f"http://{spelling}:8080/").host == str(address)
