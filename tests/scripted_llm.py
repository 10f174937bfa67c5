"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests.

litellm talks to it over real HTTP exactly as it would to a provider
(`openai/<name>` with `api_base=server.url`). Each request takes the next reply of
the script; when the script is empty the server answers 500 "script exhausted", so
an unexpected extra call shows up as a failure. Every request body is recorded.

    with ScriptedLLM() as server:
        server.enqueue(reply_json({"items": []}), status(429), hang(5))
        ...
        assert len(server.requests) == 3
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Reply", "ScriptedLLM", "draft_of", "free_item", "free_port", "hang", "reply", "reply_json", "status"]


@dataclass
class Reply:
    status: int = 200
    content: str | None = None  # the assistant message of a 200 reply
    body: str | None = None  # a raw body instead of a chat completion
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a hang when longer than the client's timeout)


def reply(content: str) -> Reply:
    """A chat completion whose assistant message is `content`."""
    return Reply(content=content)


def reply_json(value) -> Reply:
    return Reply(content=json.dumps(value))


def status(code: int, message: str = "scripted error", headers: dict[str, str] | None = None) -> Reply:
    return Reply(status=code, body=json.dumps({"error": {"message": message, "type": "scripted", "code": code}}),
                 headers=headers or {})


def hang(seconds: float, then: Reply | None = None) -> Reply:
    """Wait `seconds` (or until the server stops), then send `then` (a valid empty reply by default)."""
    late = then or reply("{}")
    return Reply(status=late.status, content=late.content, body=late.body, headers=late.headers, delay=seconds)


def draft_of(summary, decisions: dict[int, str] | None = None) -> dict:
    """What a careful model would reply for this letter (its own quotes), with decisions overridden."""
    items = []
    for item in summary.items:
        decision = (decisions or {}).get(item.index, item.decision.value)
        items.append({
            "index": item.index,
            "item": {"value": item.item.value, "quote": item.item.quote},
            "decision": {"value": decision, "quote": item.decision.quote if decision == item.decision.value
                         else decision.capitalize()},
            "guidelines": [{"value": g.value, "quote": g.quote} for g in item.guidelines],
            "reason": {"value": item.reason.value, "quote": item.reason.value} if item.reason else None,
            "rationale": None,
        })
    return {"items": items}


def free_item(item: str, decision: str, decision_quote: str, *, reason: str | None = None,
              guidelines: list[str] | None = None) -> dict:
    """One item of a free extraction (`summarize/free-v1`), as a model would reply it."""
    return {"item": item, "decision": decision, "decision_quote": decision_quote, "reason": reason,
            "guidelines": guidelines or []}


def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening (for 'the server is down')."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _completion(content: str, model: str) -> dict:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


class ScriptedLLM:
    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.requests: list[dict] = []
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode("utf-8", "replace")
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"raw": raw}
                with server._lock:
                    server.requests.append({"path": self.path, "body": body,
                                            "authorization": self.headers.get("authorization", "")})
                    step = server.script.popleft() if server.script else status(500, "script exhausted")
                if step.delay and server._stopped.wait(step.delay):
                    return
                if step.body is not None:
                    payload = step.body
                else:
                    payload = json.dumps(_completion(step.content or "", body.get("model", "scripted")))
                data = payload.encode()
                try:
                    self.send_response(step.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for key, value in step.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout) before the reply

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def enqueue(self, *replies: Reply) -> "ScriptedLLM":
        with self._lock:
            self.script.extend(replies)
        return self

    def messages(self, n: int = -1) -> list[dict]:
        """The chat messages of request n (the last by default)."""
        return self.requests[n]["body"].get("messages", [])

    def start(self) -> "ScriptedLLM":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "ScriptedLLM":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


try:
    import pytest
except ImportError:  # pragma: no cover - the module also works as a plain helper
    pytest = None

if pytest is not None:

    @pytest.fixture
    def llm_server(monkeypatch):
        """A running scripted server, with IMR_LLM_* pointing at it, a dummy key and time limits of 5 s / 15 s."""
        with ScriptedLLM() as server:
            monkeypatch.setenv("IMR_LLM_API_BASE", server.url)
            monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-000")
            # Limits a loaded CI machine still meets on the first call (litellm's first request can take
            # seconds); tests of the deadline itself set their own.
            monkeypatch.setenv("IMR_LLM_TIMEOUT", "5")
            monkeypatch.setenv("IMR_LLM_DEADLINE", "15")
            yield server
