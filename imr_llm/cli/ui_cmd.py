"""ui: the Gradio web interface (the optional `ui` extra), on 127.0.0.1 by default."""

from __future__ import annotations

import os

import typer

from . import app
from ._common import fail, handle_errors

_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def _auth_from_env() -> tuple[str, str] | None:
    raw = os.environ.get("IMR_UI_AUTH", "")
    if not raw:
        return None
    user, sep, password = raw.partition(":")
    if not sep or not user or not password:
        raise fail("IMR_UI_AUTH must be 'user:password'", code=2)
    return user, password


@app.command()
@handle_errors
def ui(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; anything but localhost needs IMR_UI_AUTH."),
    port: int = typer.Option(7860, "--port", help="Port to listen on."),
    share: bool = typer.Option(False, "--share", help="Also open a public gradio.live link (off unless asked)."),
) -> None:
    """Open the web interface: chat with cases, decisions with their sources, upload, analytics."""
    auth = _auth_from_env()
    if (host not in _LOCAL_HOSTS or share) and auth is None:
        raise fail("serving beyond this machine needs a login: set IMR_UI_AUTH=user:password", code=2)
    try:  # importing imr_llm.ui gives GRADIO_ANALYTICS_ENABLED its default first (imr_llm.environment)
        from ..ui.app import build_app, launch
    except ImportError as exc:
        raise fail(f"the web interface needs the ui extra ({exc}); run `pip install 'imr-llm[ui]'`") from None
    demo = build_app()
    try:
        launch(demo, host=host, port=port, share=share, auth=auth)
    except OSError as exc:
        raise fail(f"cannot serve on {host}:{port} ({exc}); try another --port") from None
