"""Who sent a request: the peer address, or X-Forwarded-For from a trusted proxy.

The ASGI middleware here runs outermost. It works out the client once per
request and keeps it, with anything the handlers learn about the request (why it
was refused), in a :class:`RequestInfo` reachable through a ContextVar, so that
the query queue, the access log and the metrics all see the same client without
any call site passing it along.
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Identity of requests made by the server itself (start-up, catalogue refresh).
INTERNAL = "-"


@dataclass
class RequestInfo:
    """What the layers of one request share: its client and why it was refused, if it was."""

    client: str = INTERNAL
    # Set by whatever refuses the request (e.g. "client_limit", "timeout"); the metrics
    # fall back to the status code when nothing said more.
    reason: str | None = None
    # A forwarding header came from a peer that is not a trusted proxy (so the
    # request may have come through a proxy this server does not know).
    untrusted_forwarding: bool = False


_current: ContextVar[RequestInfo | None] = ContextVar("coedp_request", default=None)


def current() -> RequestInfo:
    """The running request's info; a throwaway internal one outside a request."""
    return _current.get() or RequestInfo()


def set_reason(reason: str) -> None:
    """Record why the running request is refused (for the metrics), unless already said."""
    info = _current.get()
    if info is not None and info.reason is None:
        info.reason = reason


def parse_networks(text: str) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR blocks; raises ``ValueError`` naming a bad one."""
    networks = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP address or CIDR block") from None
    return tuple(networks)


def in_networks(address: str, networks: tuple[Network, ...]) -> bool:
    """Whether ``address`` (text) is in one of ``networks``; False if it is not an address."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks)


def client_address(
    peer: str, forwarded_for: list[str], trusted: tuple[Network, ...]
) -> str:
    """The client of a request from ``peer`` with these X-Forwarded-For header values.

    Only a trusted proxy's header counts. It is read from the right, the end the
    proxy appended: the first address that is not itself a trusted proxy is the
    client (anything left of it was written by the client and proves nothing).
    """
    if not trusted or not in_networks(peer, trusted):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # garbage from the proxy: do not guess, count it as the proxy
        if not in_networks(hop, trusted):
            return hop
    return hops[0] if hops else peer


class ClientMiddleware:
    """Sets the request's :class:`RequestInfo` (its client) for the layers inside."""

    def __init__(self, app: ASGIApp, trusted_proxies: str = "") -> None:
        self.app = app
        self.trusted = parse_networks(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        peer = (scope.get("client") or (INTERNAL, 0))[0]
        forwarded = [
            v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-forwarded-for"
        ]
        has_forwarding = bool(forwarded) or any(
            k == b"forwarded" for k, _ in scope.get("headers", ())
        )
        info = RequestInfo(client=client_address(peer, forwarded, self.trusted))
        info.untrusted_forwarding = has_forwarding and not in_networks(peer, self.trusted)
        scope["coedp.request"] = info
        token = _current.set(info)
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)
