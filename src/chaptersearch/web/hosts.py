"""The names a request may give in its Host header: those of the address ``serve``
listens on, and no other.

A browser sends the name it was given, so a page elsewhere whose name an attacker points
at this machine (DNS rebinding) names itself, and is refused. The names accepted are
those this machine is known by: for a wildcard address (``0.0.0.0``) another machine
reaches it by any of its addresses or its hostname, and the hostname often resolves to
127.0.0.1 alone, so the addresses of the network interfaces are found too (standard
library only: the hostname's, each interface's on Linux, and the one a packet to the
outside would leave from).
"""

import contextlib
import socket
import struct

LOOPBACK = ("127.0.0.1", "localhost")
WILDCARDS = ("0.0.0.0", "")
OUTSIDE = ("192.0.2.1", 9)
"""A documentation address (TEST-NET-1): connecting a UDP socket to it picks the
address a packet would leave from, and sends nothing."""
SIOCGIFADDR = 0x8915
"""Linux's ioctl for an interface's IPv4 address."""


def accepted_hosts(bind: str) -> list[str]:
    """The Host names answered when listening on ``bind``: loopback's always, the
    address itself, and for a wildcard every name and address of the machine (not the
    wildcard: no machine is reached by that name)."""
    if bind not in WILDCARDS:
        return sorted({*LOOPBACK, bind})
    return sorted({*LOOPBACK, *machine_names(), *machine_addresses()})


def machine_names() -> set[str]:
    """The hostname, fully qualified too, and as multicast DNS gives it (``NAME.local``,
    how phones on a home network often reach a laptop)."""
    name = socket.gethostname()
    names = {name, socket.getfqdn(), f"{name.split('.')[0]}.local"}
    return {found.lower() for found in names if found}


def machine_addresses() -> set[str]:
    """The machine's IPv4 addresses, as far as the standard library can tell."""
    return _resolved() | _interfaces() | _routed()


def _resolved() -> set[str]:
    """What the hostname resolves to (often 127.0.0.1 alone, or 127.0.1.1)."""
    try:
        found = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return set()
    return {str(entry[4][0]) for entry in found}


def _interfaces() -> set[str]:
    """Each network interface's IPv4 address (Linux; elsewhere nothing)."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        return set()
    addresses: set[str] = set()
    try:
        interfaces = socket.if_nameindex()
    except OSError:
        return set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in interfaces:
            request = struct.pack("256s", name.encode()[:15])
            with contextlib.suppress(OSError):  # down, or no IPv4 address
                answer = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)
                addresses.add(socket.inet_ntoa(answer[20:24]))
    return addresses


def _routed() -> set[str]:
    """The address a packet to the outside would leave from (any system)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(OUTSIDE)
            return {str(probe.getsockname()[0])}
    except OSError:  # no route out
        return set()
