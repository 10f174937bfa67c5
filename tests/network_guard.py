"""The one network guard of tests/ and evals/: no test may reach past this machine.

`go_offline()` (called by tests/conftest.py, and by evals/conftest.py unless a model is being scored)
tells the libraries to stay offline (Hugging Face, Chroma telemetry, litellm's cost map) and wraps the
socket functions so that a connection or a name lookup for anything but this machine raises
NetworkBlocked instead of leaving it:

    socket.socket.connect / connect_ex   an AF_INET/AF_INET6 address that is not loopback
    socket.getaddrinfo / create_connection / gethostbyname(_ex)   a host that is not local

Local means localhost, a loopback address (127.0.0.0/8, ::1), the unspecified address (0.0.0.0, ::,
which servers bind to) and this machine's own host name (looked up in /etc/hosts, and any address it
gives that is not loopback is still refused at connect). Unix sockets are never touched.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import socket

__all__ = ["NetworkBlocked", "go_offline", "installed", "is_local", "is_loopback"]

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",  # Chroma's posthog
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # litellm would fetch its cost map from GitHub on import
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
}
_LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class NetworkBlocked(RuntimeError):
    """A test tried to reach a host that is not this machine."""


def _name(host: object) -> str:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return str(host).strip("[]").split("%")[0].rstrip(".").lower()


def is_loopback(host: object) -> bool:
    """Whether a host is a loopback name or address (or the unspecified address, which is this machine)."""
    name = _name(host)
    if name in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def is_local(host: object) -> bool:
    """Whether looking a host up stays on this machine: a loopback host, None, or this machine's own name."""
    return host is None or is_loopback(host) or _name(host) == socket.gethostname().lower()


def _host_of(address: object) -> object:
    return address[0] if isinstance(address, tuple) and address else address


def _refuse(what: str, target: object) -> None:
    raise NetworkBlocked(f"a test tried to reach the network: {what}({target!r}); "
                         "tests and offline evals talk to 127.0.0.1 only")


def _guard_connect(real):
    @functools.wraps(real)
    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback(_host_of(address)):
            _refuse(real.__name__, address)
        return real(self, address)

    guarded._imr_network_guard = True
    return guarded


def _guard_lookup(real):
    @functools.wraps(real)
    def guarded(host, *args, **kwargs):
        if not is_local(host):
            _refuse(real.__name__, host)
        return real(host, *args, **kwargs)

    guarded._imr_network_guard = True
    return guarded


def _guard_create_connection(real):
    @functools.wraps(real)
    def guarded(address, *args, **kwargs):
        if not is_local(_host_of(address)):
            _refuse("create_connection", address)
        return real(address, *args, **kwargs)

    guarded._imr_network_guard = True
    return guarded


def installed() -> bool:
    return getattr(socket.socket.connect, "_imr_network_guard", False)


def go_offline() -> None:
    """Set the offline environment (where not already set) and install the socket guard (once)."""
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    if installed():
        return
    socket.socket.connect = _guard_connect(socket.socket.connect)
    socket.socket.connect_ex = _guard_connect(socket.socket.connect_ex)
    socket.getaddrinfo = _guard_lookup(socket.getaddrinfo)
    socket.gethostbyname = _guard_lookup(socket.gethostbyname)
    socket.gethostbyname_ex = _guard_lookup(socket.gethostbyname_ex)
    socket.create_connection = _guard_create_connection(socket.create_connection)
