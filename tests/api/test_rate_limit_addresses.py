"""Rate limits per real client address behind a trusted proxy, with failed authentications in a bucket of their
own (issue 19): clients behind one ingress do not share a budget, and guessing keys spends nobody else's."""

from __future__ import annotations

import uuid

import httpx

from githubapp.web.ratelimit import client_address, trusted_networks

from .conftest import MakeDeps, new_key, seed_installation


def scope(peer: str, forwarded: str | None = None) -> dict[str, object]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return {"client": (peer, 1234), "headers": headers}


def test_the_client_address_is_read_only_through_trusted_proxies() -> None:
    trusted = trusted_networks("10.0.0.0/8,fd00::/8")
    # Through the ingress (trusted): the hop the ingress saw.
    assert client_address(scope("10.1.2.3", "203.0.113.7"), trusted) == "203.0.113.7"
    # A client that forged a header before the ingress appended the real address: the real one.
    assert client_address(scope("10.1.2.3", "198.51.100.1, 203.0.113.7"), trusted) == "203.0.113.7"
    # Two trusted proxies in a row: skipped.
    assert client_address(scope("10.1.2.3", "203.0.113.7, 10.9.9.9"), trusted) == "203.0.113.7"
    # Straight from the internet: the header is the client's own, never believed.
    assert client_address(scope("203.0.113.9", "10.0.0.1"), trusted) == "203.0.113.9"
    # Garbage stops the walk at the last good hop.
    assert client_address(scope("10.1.2.3", "evil, 203.0.113.7"), trusted) == "203.0.113.7"
    assert client_address(scope("10.1.2.3", "<script>"), trusted) == "10.1.2.3"
    assert client_address(scope("10.1.2.3"), trusted) == "10.1.2.3"
    assert client_address(scope("10.1.2.3", "203.0.113.7"), trusted_networks("127.0.0.1")) == "10.1.2.3"


async def test_clients_behind_one_ingress_have_their_own_buckets_and_bad_keys_their_own(
    make_deps: MakeDeps,
) -> None:
    from githubapp.app import create_app

    deps = await make_deps(api_rate_limit=3, api_auth_failure_limit=3, forwarded_allow_ips="10.0.0.0/8")
    installation = int(uuid.uuid4().int % 10**9) + 4 * 10**9
    await seed_installation(deps, installation, "org-rl2", {})
    key, _ = await new_key(deps, installation)
    app = create_app(deps.settings, deps=deps)
    app.state.deps = deps
    transport = httpx.ASGITransport(app=app, client=("10.0.0.2", 40000))  # every request through the ingress
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as ingress:

        async def get(client: str, secret: str) -> int:
            response = await ingress.get("/api/repositories",
                                         headers={"x-api-key": secret, "x-forwarded-for": client})
            return response.status_code

        # Someone guessing keys from one address: refused once its failures are spent...
        guesses = [await get("198.51.100.66", f"cit_guess{i}") for i in range(5)]
        assert guesses[:3] == [401, 401, 401] and guesses[3:] == [429, 429]
        # ...while a client behind the same ingress, with a good key, is untouched.
        assert [await get("203.0.113.7", key) for _ in range(2)] == [200, 200]
        # The per-key limit (3 per window) still holds across addresses.
        assert await get("203.0.113.8", key) == 200
        assert await get("203.0.113.9", key) == 429
