"""The one network guard (tests/network_guard.py) holds in tests/ and in evals/: every way out is refused,
this machine stays reachable."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from network_guard import NetworkBlocked, installed
from paths import ROOT

OUTSIDE_V4 = ("192.0.2.1", 443)  # TEST-NET-1: never routed
OUTSIDE_V6 = ("2001:db8::1", 443)  # the documentation prefix


def test_the_guard_is_installed_for_tests():
    assert installed()


def test_connect_off_this_machine_fails():
    with socket.socket() as sock, pytest.raises(NetworkBlocked):
        sock.connect(OUTSIDE_V4)


def test_connect_ex_off_this_machine_fails():
    with socket.socket() as sock, pytest.raises(NetworkBlocked):
        sock.connect_ex(OUTSIDE_V4)


def test_ipv6_off_this_machine_fails():
    with socket.socket(socket.AF_INET6) as sock, pytest.raises(NetworkBlocked):
        sock.connect(OUTSIDE_V6 + (0, 0))


def test_create_connection_off_this_machine_fails():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(OUTSIDE_V4, timeout=1)
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("api.openai.com", 443), timeout=1)


@pytest.mark.parametrize("lookup", [lambda: socket.getaddrinfo("api.openai.com", 443),
                                    lambda: socket.gethostbyname("huggingface.co"),
                                    lambda: socket.gethostbyname_ex("github.com")],
                         ids=["getaddrinfo", "gethostbyname", "gethostbyname_ex"])
def test_name_lookups_of_other_hosts_fail(lookup):
    with pytest.raises(NetworkBlocked):
        lookup()


def test_an_http_client_is_refused():
    import urllib.request

    with pytest.raises(NetworkBlocked):
        urllib.request.urlopen("http://example.com/", timeout=1)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_this_machine_is_reachable(host):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        server = socket.socket(family)
        server.bind((host, 0))
    except OSError:
        pytest.skip(f"{host} cannot be bound on this machine")
    with server:
        server.listen()
        port = server.getsockname()[1]
        with socket.create_connection((host, port), timeout=1):
            pass
        with socket.socket(family) as client:
            assert client.connect_ex((host, port)) == 0
    assert socket.getaddrinfo(host, port)


_EVALS_PROBE = """
import socket, sys
sys.path[:0] = [{root!r}, {tests!r}]
import evals.conftest  # loads the guard exactly as `pytest evals` does
from network_guard import NetworkBlocked
refused = []
for name, call in [("connect", lambda: socket.socket().connect(("192.0.2.1", 443))),
                   ("connect_ex", lambda: socket.socket().connect_ex(("192.0.2.1", 443))),
                   ("create_connection", lambda: socket.create_connection(("192.0.2.1", 443), timeout=1)),
                   ("getaddrinfo", lambda: socket.getaddrinfo("api.openai.com", 443))]:
    try:
        call()
    except NetworkBlocked:
        refused.append(name)
print(",".join(refused))
"""


def test_evals_load_the_same_guard():
    """evals/conftest.py on its own (as in `pytest evals`, without tests/conftest.py) refuses every way out."""
    env = {k: v for k, v in os.environ.items() if k not in ("IMR_LLM_MODEL", "IMR_EVAL_GOLD")}
    probe = _EVALS_PROBE.format(root=str(ROOT), tests=str(ROOT / "tests"))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["connect,connect_ex,create_connection,getaddrinfo"]
