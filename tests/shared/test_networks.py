"""Networks as operators write them in settings."""

import re

import pytest

from shared.kit.networks import contains, parse_cidrs


def test_addresses_are_found_in_their_networks_however_written() -> None:
    networks = parse_cidrs(" 10.0.0.0/8, fd00::/8 ,127.0.0.1")
    assert contains(networks, "10.1.2.3")
    assert contains(networks, "::ffff:10.1.2.3")  # IPv4 mapped into IPv6
    assert contains(networks, "fd00::1")
    assert contains(networks, "127.0.0.1")
    assert not contains(networks, "127.0.0.2")
    assert not contains(networks, "203.0.113.7")
    assert not contains(networks, "not an address")


def test_a_bad_network_is_named() -> None:
    with pytest.raises(ValueError, match=re.escape("'10.0.0.0/33'")):
        parse_cidrs("10.0.0.0/8, 10.0.0.0/33")
