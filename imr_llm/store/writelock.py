"""Who may write the store, and how readers notice that someone did.

* **Embedded store** (a folder): one writer at a time, by an exclusive OS file lock
  (`filelock`, `imr-write.lock` in the store folder). The lock is held for the whole
  write of a batch (pending record, chunks, complete), so a pending letter found while
  holding it was left by a writer that died: repair may remove it. The OS releases the
  lock when its process dies, so a killed ingest never blocks the next one. Readers
  never take the lock.
* **Chroma server**: there is no shared folder to lock. A pending letter carries its
  writer (`host:pid:token`) and a lease (`lease_until`, epoch seconds); repair removes it
  only when the lease has expired, or when its writer ran on this host and is gone.
* **Generation marker** (`imr-generation` in the store folder): rewritten after every
  write, so that a long-running reader (the UI) reopens its Chroma handles when another
  process wrote; Chroma's in-process index does not see other processes' writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import StoreError

__all__ = ["WriteLock", "generation_stamp", "bump_generation", "writer_alive", "writer_id"]

_HOST = socket.gethostname()
_TOKEN = uuid.uuid4().hex[:8]
_TOKEN_PID = os.getpid()
LOCK_NAME, OWNER_NAME, GENERATION_NAME = "imr-write.lock", "imr-write.owner", "imr-generation"


def writer_id() -> str:
    """This process as a writer: host, pid and a token that tells it from an earlier process with the same pid."""
    global _TOKEN, _TOKEN_PID
    if os.getpid() != _TOKEN_PID:  # a forked child is another writer
        _TOKEN, _TOKEN_PID = uuid.uuid4().hex[:8], os.getpid()
    return f"{_HOST}:{os.getpid()}:{_TOKEN}"


def writer_alive(writer: str) -> bool | None:
    """Whether a writer still runs: True/False when it ran on this host, None when that cannot be told."""
    parts = writer.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != _HOST or not parts[1].isdigit():
        return None
    pid, token = int(parts[1]), parts[2]
    if pid == os.getpid():
        return token == writer_id().rsplit(":", 1)[1]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def generation_stamp(folder: Path) -> tuple | None:
    """What identifies the store's last write (inode and mtime of the marker), None before any."""
    try:
        st = os.stat(folder / GENERATION_NAME)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def bump_generation(folder: Path) -> tuple | None:
    """Record that the store changed (called by the lock holder after a write)."""
    tmp = folder / f"{GENERATION_NAME}.{os.getpid()}"
    tmp.write_text(f"{time.time_ns()} {writer_id()}\n", encoding="utf-8")
    os.replace(tmp, folder / GENERATION_NAME)
    return generation_stamp(folder)


class WriteLock:
    """The embedded store's exclusive write lock, with who holds it (for the message of a waiting writer)."""

    def __init__(self, folder: Path, wait: float):
        self.folder = folder
        self.wait = wait

    def holder(self) -> str:
        try:
            owner = json.loads((self.folder / OWNER_NAME).read_text(encoding="utf-8"))
            return f"pid {owner['pid']} on {owner['host']}, started {owner['since']}"
        except (OSError, ValueError, KeyError):
            return "another process"

    @contextlib.contextmanager
    def hold(self, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the lock; wait up to `wait` seconds for another writer (saying so), then fail with one line."""
        lock = FileLock(self.folder / LOCK_NAME)
        try:
            try:
                lock.acquire(timeout=0)
            except Timeout:
                if on_wait:
                    on_wait(f"waiting for another ingest to finish ({self.holder()})...")
                lock.acquire(timeout=self.wait)
        except Timeout:
            raise StoreError(f"another ingest ({self.holder()}) is still writing to {self.folder}; gave up after "
                             f"{self.wait:g} s (IMR_WRITE_WAIT); nothing was written", location=str(self.folder)) from None
        except OSError as exc:
            raise StoreError(f"cannot write to the store at {self.folder}: {exc.strerror or exc}",
                             location=str(self.folder)) from None
        try:
            owner = {"pid": os.getpid(), "host": _HOST, "since": time.strftime("%H:%M:%S")}
            with contextlib.suppress(OSError):
                (self.folder / OWNER_NAME).write_text(json.dumps(owner), encoding="utf-8")
            yield
        finally:
            lock.release()
