"""Networks as operators write them in settings: `"127.0.0.0/8, ::1/128"`."""

import ipaddress
from collections.abc import Iterable

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_cidrs(text: str | Iterable[str | IPNetwork]) -> tuple[IPNetwork, ...]:
    """Networks from `"127.0.0.0/8, ::1/128"` (or a list); ValueError names a bad one."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    networks: list[IPNetwork] = []
    for part in (str(p).strip() for p in parts):
        if part:
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError as exc:
                raise ValueError(f"not a CIDR network: {part!r}") from exc
    return tuple(networks)


def contains(networks: Iterable[IPNetwork], address: str) -> bool:
    """Is `address` (IPv4, IPv6, or IPv4 mapped into IPv6) in one of `networks`?"""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)
