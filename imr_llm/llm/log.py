"""The LLM call log and response cache: two SQLite files under `settings.llm_dir`.

- `log.db`, table `calls`: one row per `llm.complete` call (time, model, prompt id,
  version and hash, a hash of the input, HTTP requests, replies, tokens, cost where
  litellm knows the model's prices, latency, cache hit, outcome and error class).
  No letter text and no key is stored. Its schema evolves by the append-only list
  `MIGRATIONS` (add `m002_...`, never edit a released one); applied names are
  recorded in `_migrations`. `retried` lists the classes of the transient failures
  that were retried, comma-separated.
- `cache.db`, table `responses`: validated replies by cache key. Delete the file to
  empty the cache; the log is kept.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..config import Settings

__all__ = ["COLUMNS", "MIGRATIONS", "PromptRef", "cache_get", "cache_put", "log_call", "log_path", "prompt_ref",
           "recent_calls"]

MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = []


def migration(func: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    MIGRATIONS.append((func.__name__, func))
    return func


@migration
def m001_calls(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE calls (
            id INTEGER PRIMARY KEY,
            time_utc TEXT NOT NULL,
            model TEXT NOT NULL,
            prompt_id TEXT NOT NULL,
            prompt_version TEXT NOT NULL,
            prompt_hash TEXT NOT NULL,
            input_hash TEXT NOT NULL,
            requests INTEGER NOT NULL,
            replies INTEGER NOT NULL,
            input_tokens INTEGER,
            output_tokens INTEGER,
            cost_usd REAL,
            latency_ms INTEGER NOT NULL,
            cache_hit INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            error_class TEXT,
            error TEXT,
            retried TEXT NOT NULL DEFAULT ''
        )""")


COLUMNS = ["id", "time_utc", "model", "prompt_id", "prompt_version", "prompt_hash", "input_hash", "requests", "replies",
           "input_tokens", "output_tokens", "cost_usd", "latency_ms", "cache_hit", "outcome", "error_class", "error",
           "retried"]


@dataclass(frozen=True)
class PromptRef:
    id: str
    version: str
    hash: str


def prompt_ref(prompt_id: str, messages: list[dict]) -> PromptRef:
    """The id, version and file hash of a prompt 'task/vN'; an ad-hoc prompt is identified by its text."""
    from .prompts import PromptError, load

    try:
        template = load(prompt_id)
        return PromptRef(template.id, template.version, template.hash)
    except PromptError:
        text = json.dumps(messages, sort_keys=True)
        return PromptRef(prompt_id, "", hashlib.sha256(text.encode()).hexdigest()[:16])


def log_path(settings: Settings) -> Path:
    return settings.llm_dir / "log.db"


def _connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=10)
    db.row_factory = sqlite3.Row
    return db


def migrate(db: sqlite3.Connection) -> None:
    with db:
        db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_utc TEXT NOT NULL)")
        done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
        for name, func in MIGRATIONS:
            if name not in done:
                func(db)
                db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, _now()))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def log_call(settings: Settings, *, model: str, prompt: PromptRef, input_hash: str, requests: int, replies: int,
             latency_ms: int, cache_hit: bool, outcome: str, input_tokens: int | None = None,
             output_tokens: int | None = None, cost_usd: float | None = None, error_class: str | None = None,
             error: str | None = None, retried: str = "") -> int:
    """Append a row to the call log; returns its id."""
    row = {"time_utc": _now(), "model": model, "prompt_id": prompt.id, "prompt_version": prompt.version,
           "prompt_hash": prompt.hash, "input_hash": input_hash, "requests": requests, "replies": replies,
           "input_tokens": input_tokens, "output_tokens": output_tokens, "cost_usd": cost_usd,
           "latency_ms": latency_ms, "cache_hit": int(cache_hit), "outcome": outcome, "error_class": error_class,
           "error": error, "retried": retried}
    with closing(_connect(log_path(settings))) as db:
        migrate(db)
        with db:
            cursor = db.execute(f"INSERT INTO calls ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                list(row.values()))
        return int(cursor.lastrowid)


def recent_calls(settings: Settings, limit: int = 20) -> list[dict]:
    """The last `limit` calls, newest first."""
    path = log_path(settings)
    if not path.exists():
        return []
    with closing(_connect(path)) as db:
        migrate(db)
        rows = db.execute("SELECT * FROM calls ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [dict(row) for row in rows]


def _cache(settings: Settings) -> sqlite3.Connection:
    db = _connect(settings.llm_dir / "cache.db")
    with db:
        db.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, model TEXT, prompt_id TEXT, "
                   "prompt_version TEXT, created_utc TEXT, value TEXT NOT NULL)")
    return db


def cache_get(settings: Settings, key: str) -> str | None:
    with closing(_cache(settings)) as db:
        row = db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def cache_put(settings: Settings, key: str, model: str, prompt: PromptRef, value: str) -> None:
    with closing(_cache(settings)) as db, db:
        db.execute("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                   (key, model, prompt.id, prompt.version, _now(), value))
