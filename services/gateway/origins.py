"""Web origins a key's widgets may be embedded by (CSP frame-ancestors).

An origin is `https://host[:port]`; plain http only for loopback, where a developer's
intranet copy runs. No wildcard, path or query: each value goes into a header as it is,
so it may hold nothing that a header or the policy would read as syntax.
"""

import ipaddress
import re

MAX_EMBED_ORIGINS = 20
MAX_ORIGIN_LENGTH = 200

_SHAPE = re.compile(r"(https?)://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::([0-9]{1,5}))?")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
LOOPBACK_NAMES = frozenset({"localhost"})

ORIGIN_PATTERN = (
    r"^(https://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])"
    r"|http://(localhost|127\.[0-9.]+|\[::1\]))(:[0-9]{1,5})?$"
)
"""The shape in the API's JSON Schema; `embed_origin` checks the rest (labels, ports)."""


class NotAnOrigin(ValueError):
    pass


def embed_origin(value: str) -> str:
    """`value` as the origin a browser sends (scheme and host lower case, no default
    port); NotAnOrigin with the reason otherwise."""
    if len(value) > MAX_ORIGIN_LENGTH:
        raise NotAnOrigin(f"at most {MAX_ORIGIN_LENGTH} characters")
    shape = _SHAPE.fullmatch(value)
    if shape is None:
        raise NotAnOrigin("not an origin: scheme://host[:port], without path or wildcard")
    scheme, host, port = shape.group(1), shape.group(2).lower(), shape.group(3)
    if port is not None and not 0 < int(port) <= 65535:
        raise NotAnOrigin(f"port {port} does not exist")
    if host.startswith("["):
        host = _short_ipv6(host)  # as the browser writes it, or frame-ancestors misses it
    loopback = _check_host(host)
    if scheme == "http" and not loopback:
        raise NotAnOrigin("https only; plain http for loopback addresses (localhost) only")
    if port is not None and int(port) == {"https": 443, "http": 80}[scheme]:
        port = None  # the browser leaves the default port out of an origin
    return f"{scheme}://{host}" + (f":{int(port)}" if port else "")


def _short_ipv6(host: str) -> str:
    try:
        return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
    except ValueError:
        raise NotAnOrigin(f"not an IPv6 address: {host}") from None


def _check_host(host: str) -> bool:
    """Is `host` a loopback address or name; NotAnOrigin when it is no host at all."""
    if host.startswith("["):
        try:
            return ipaddress.IPv6Address(host[1:-1]).is_loopback
        except ValueError:
            raise NotAnOrigin(f"not an IPv6 address: {host}") from None
    if re.fullmatch(r"[0-9.]+", host):
        try:
            return ipaddress.IPv4Address(host).is_loopback
        except ValueError:
            raise NotAnOrigin(f"not an IPv4 address: {host}") from None
    labels = host.removesuffix(".").split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise NotAnOrigin(f"not a host name: {host}")
    return host in LOOPBACK_NAMES or host.endswith(".localhost")


def frame_ancestors(origins: list[str]) -> str:
    """The CSP directive that lets these origins (and only these) frame a page."""
    return "frame-ancestors " + (" ".join(origins) if origins else "'none'")
