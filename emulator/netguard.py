"""Refuse every network connection that does not go to a loopback address.

Used by the emulator process (``--loopback-only``) and by the test suite, so that a test run that
tries to reach the internet (a real AWS host, a telemetry endpoint, a data hub) fails loudly
instead of hanging or leaking traffic.
"""

from __future__ import annotations

import ipaddress
import socket

_installed = False
_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


class NonLoopbackConnection(ConnectionRefusedError):
    """Raised when code tries to connect to an address outside 127.0.0.0/8 or ::1."""


def _is_loopback(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        # a host name: resolve it the way connect() would, and judge every address it gives
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False
        return bool(infos) and all(ipaddress.ip_address(i[4][0]).is_loopback for i in infos)


def _check(sock, address):
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        raise NonLoopbackConnection(f"blocked a connection to a non-loopback address: {address!r}")


def _guarded_connect(self, address):
    _check(self, address)
    return _original_connect(self, address)


def _guarded_connect_ex(self, address):
    _check(self, address)
    return _original_connect_ex(self, address)


def install() -> None:
    """Patch socket.connect/connect_ex for this process. Idempotent."""
    global _installed
    if _installed:
        return
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    _installed = True


def uninstall() -> None:
    global _installed
    socket.socket.connect = _original_connect
    socket.socket.connect_ex = _original_connect_ex
    _installed = False
