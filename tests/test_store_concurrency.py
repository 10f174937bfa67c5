"""Writers on one store at once: two `imr-llm ingest` runs and a UI upload never lose each other's letters;
a writer that cannot get the store waits, saying so, or fails in one line; a running UI sees letters that
other processes wrote; against a Chroma server, repair removes only letters whose writer is gone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from imr_llm import Client, api
from imr_llm.store.chunk import chunk_letter
from imr_llm.config import get_settings
from imr_llm.store.load import load_letter
from imr_llm.parse import parse_letter
from imr_llm.store.retrieve import Filters, retrieve
from imr_llm.store.writelock import WriteLock, writer_id

from conftest import LETTERS, ROOT
from paths import GOLD as GOLD_FOLDER

pytestmark = pytest.mark.slow  # several processes writing at once, and a UI

GOLD = sorted(GOLD_FOLDER.glob("*.txt"))
TEST_LETTERS = sorted(LETTERS.glob("*.txt"))


def _folder(tmp: Path, name: str, files: list[Path]) -> Path:
    folder = tmp / name
    folder.mkdir()
    for f in files:
        shutil.copy(f, folder / f.name)
    return folder


def _start_cli(home: Path, *args: str, **extra: str) -> subprocess.Popen:
    env = dict(os.environ, IMR_HOME=str(home), **extra)
    return subprocess.Popen([sys.executable, "-m", "imr_llm.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def _expected_chunks(path: Path) -> tuple[str, int]:
    letter = load_letter(path)
    return letter.letter_id, len(chunk_letter(letter, parse_letter(letter)))


class _Progress:
    def __init__(self):
        self.notes: list[str] = []

    def __call__(self, fraction=None, desc=None, **_):
        if desc:
            self.notes.append(desc)


def _record(failures: list, target) -> None:
    try:
        target()
    except BaseException as exc:  # noqa: BLE001 - reported by the test thread
        failures.append(exc)


@pytest.mark.parametrize("offsets", [(0.0, 0.0, 0.0), (0.0, 2.0, 4.0), (3.0, 0.0, 1.0)],
                         ids=["together", "staggered", "ui-between"])
def test_two_ingests_and_a_ui_upload_at_once_keep_every_letter(tmp_path, offsets):
    """Folder A: gold letters 0-14 and two test letters; folder B: gold 10-24 (five shared with A) and
    one test letter; the UI uploads a letter of its own. Every letter any writer kept, or said it kept,
    is in the store with all its chunks; a writer that did not keep one said so (exit 1 + message)."""
    from imr_llm.ui.handlers import Handlers

    home = tmp_path / "home"
    settings = get_settings(home=home)
    folder_a = _folder(tmp_path, "a", GOLD[:15] + TEST_LETTERS[:2])
    folder_b = _folder(tmp_path, "b", GOLD[10:] + TEST_LETTERS[2:3])
    upload = _folder(tmp_path, "ui", TEST_LETTERS[3:4]) / TEST_LETTERS[3].name
    handlers = Handlers(settings)
    handlers.store.count()  # the UI has the store open before the others write

    runs: dict[str, subprocess.Popen] = {}
    ui_result: dict[str, object] = {}

    def start(name: str, delay: float, folder: Path) -> None:
        time.sleep(delay)
        runs[name] = _start_cli(home, "ingest", str(folder))

    def ui(delay: float) -> None:
        time.sleep(delay)
        progress = _Progress()
        ui_result["note"] = handlers.upload(str(upload), progress=progress)[0]
        ui_result["progress"] = progress.notes

    every = {f.name: f for f in [*folder_a.glob("*.txt"), *folder_b.glob("*.txt"), upload]}
    expected = dict(_expected_chunks(f) for f in every.values())
    seen: list[str] = []
    writing = threading.Event()
    writing.set()

    def reader() -> None:
        """Meanwhile, a reader (the UI's store) never sees a letter without all its chunks, nor cites one."""
        store = handlers.store
        while writing.is_set():
            for row in store.cases():
                chunks, vectors = store.case_chunks(row["case_id"], row["letter_id"])
                assert len(chunks) == len(vectors) == expected[row["letter_id"]], row
                seen.append(row["letter_id"])
            cited = {c.letter_id for c in api.ask(None, "Why was the medication denied?", settings=settings).citations}
            assert cited <= store.complete_ids(sorted(cited))
            time.sleep(0.5)

    threads = [threading.Thread(target=start, args=("a", offsets[0], folder_a)),
               threading.Thread(target=start, args=("b", offsets[1], folder_b)),
               threading.Thread(target=ui, args=(offsets[2],))]
    failures: list[BaseException] = []
    watcher = threading.Thread(target=lambda: _record(failures, reader))
    for t in [*threads, watcher]:
        t.start()
    for t in threads:
        t.join(timeout=900)
    outputs = {name: (run.communicate(timeout=900), run.returncode) for name, run in runs.items()}
    writing.clear()
    watcher.join(timeout=300)
    assert not failures, failures
    assert seen  # the reader did read while the writers wrote

    store = api.open_store(settings)
    stored = {c["letter_id"] for c in store.cases()}
    for name, folder in (("a", folder_a), ("b", folder_b)):
        (out, err), code = outputs[name]
        files = sorted(folder.glob("*.txt"))
        if code == 0:
            assert re.search(r"\d+ added, \d+ unchanged, 0 failed", err), err
            for f in files:
                assert _expected_chunks(f)[0] in stored, (name, f.name, err)
        else:  # a writer that did not keep its letters says so in one line
            assert code == 1 and err.strip().splitlines()[-1].startswith("error: "), err
        for line in (out + err).splitlines():  # whatever it reported added or unchanged is stored
            m = re.match(r"(added|unchanged)\s+(\S+)", line)
            if m:
                assert _expected_chunks(Path(m.group(2)))[0] in stored, line
    assert re.match(r"\*\*.+\*\*: (added|already in the store) as case", ui_result["note"]), ui_result
    assert _expected_chunks(upload)[0] in stored

    assert stored == set(expected) and store.count() == (len(expected), sum(expected.values()))
    assert store.letters.get(where={"status": "pending"})["ids"] == []
    for letter_id, n in expected.items():  # every letter has all its chunks, and its vectors answer a question
        letter, summary = store.find(letter_id)
        chunks, vectors = store.case_chunks(summary.case_id, letter_id)
        assert len(chunks) == len(vectors) == n
    assert retrieve(store, "Why was the medication denied?", k=10, filters=Filters(decision="upheld"))
    assert handlers.cases() and len(handlers.corpus.summaries()) == len(expected)  # the UI sees them all


def test_a_second_writer_waits_saying_so_then_fails_in_one_line_or_goes_on(tmp_path):
    home = tmp_path / "home"
    letter = LETTERS / "t05_d_emg_overturned.txt"
    folder = home / "chroma"
    folder.mkdir(parents=True)
    with WriteLock(folder, wait=0).hold():
        assert api.cases(get_settings(home=home)) == []  # a reader does not wait for the writer
        gave_up = _start_cli(home, "ingest", str(letter), IMR_WRITE_WAIT="2")
        out, err = gave_up.communicate(timeout=600)
    assert gave_up.returncode == 1
    assert f"waiting for another ingest to finish (pid {os.getpid()} on " in err
    assert err.strip().splitlines()[-1].startswith(f"error: another ingest (pid {os.getpid()} on ")
    assert err.strip().endswith(f"is still writing to {folder}; gave up after 2 s (IMR_WRITE_WAIT); nothing was written")
    assert "added" not in out + err
    assert api.cases(get_settings(home=home)) == []

    with WriteLock(folder, wait=0).hold():
        waiter = _start_cli(home, "ingest", str(letter), IMR_WRITE_WAIT="600")
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(waiter.stderr), daemon=True)
        reader.start()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and waiter.poll() is None:  # until it says it waits for us
            if any("waiting for another ingest to finish" in line for line in lines):
                break
            time.sleep(0.2)
        assert waiter.poll() is None, "the second writer did not wait"
    out = waiter.stdout.read()
    assert waiter.wait(timeout=600) == 0, lines
    reader.join(timeout=60)
    err = "".join(lines)
    assert "1 added, 0 unchanged, 0 failed" in err, err
    assert [c["letter_id"] for c in Client(get_settings(home=home)).cases()] == [load_letter(letter).letter_id]


def test_a_running_ui_sees_and_answers_letters_other_processes_write(tmp_path):
    from imr_llm.ui.handlers import Handlers

    home = tmp_path / "home"
    settings = get_settings(home=home)
    first = api.ingest([GOLD[0]], settings=settings)[0]
    handlers = Handlers(settings)
    case = first.case_id
    assert list(handlers.ask(case, "Why was PT overturned?", {}))[-1][4]["citations"]
    assert list(handlers.ask(None, "Why was PT overturned?", {}))[-1][4]["citations"]

    new = LETTERS / "t05_d_emg_overturned.txt"
    run = _start_cli(home, "ingest", str(new))
    _, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    new_case = api.default_client().open_letter(new).summary.case_id
    update, note = handlers.search_cases("", "any")
    assert new_case in [value for _, value in update["choices"]]
    for asked in (new_case, None):
        history, _, _, _, answer, _ = list(handlers.ask(asked, "Why was the EMG overturned?", {}))[-1]
        assert answer and answer["citations"], history[-1]["content"]
        assert "Could not answer" not in history[-1]["content"]
    assert handlers.summarize(new_case)[3]["case_id"] == new_case


@pytest.mark.server
def test_against_a_server_repair_removes_only_letters_whose_writer_is_gone(tmp_path, monkeypatch):
    from chroma_server import chroma_server

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    host = writer_id().split(":")[0]
    with chroma_server(tmp_path / "chroma-data") as url:
        monkeypatch.setenv("IMR_CHROMA_URL", url)
        api.ingest([GOLD[0]])  # IMR_CHROMA_URL is set: the default client is one for the server
        store = api.open_store()
        now = time.time()
        writers = {"live-here": (writer_id(), now + 600), "dead-here": (f"{host}:{dead_pid}:0000", now + 600),
                   "live-elsewhere": ("another-host:123:abcd", now + 600),
                   "expired-elsewhere": ("another-host:456:abcd", now - 1)}
        letters = dict(zip(writers, TEST_LETTERS[:4]))
        for name, (writer, lease) in writers.items():
            letter = load_letter(letters[name])
            summary = parse_letter(letter)
            chunks = chunk_letter(letter, summary)
            store.letters.upsert(ids=[letter.letter_id], documents=[letter.text], embeddings=[[1.0]],
                                 metadatas=[{"case_id": summary.case_id, "source": letter.source, "status": "pending",
                                             "layout": summary.layout, "n_items": len(summary.items), "overall": "",
                                             "summary": summary.model_dump_json(), "writer": writer,
                                             "lease_until": lease}])
            store.chunks.upsert(ids=[c.chunk_id for c in chunks], documents=[c.text for c in chunks],
                                embeddings=store.embedder.embed([c.text for c in chunks]),
                                metadatas=[c.metadata() for c in chunks])
        assert [c["letter_id"] for c in store.cases()] == [load_letter(GOLD[0]).letter_id]  # pending: unseen
        for passage in retrieve(store, "Why was the medication denied?", k=50):
            assert passage.chunk.letter_id == load_letter(GOLD[0]).letter_id
        removed = store.repair()
        assert removed == 2
        pending = set(store.letters.get(where={"status": "pending"})["ids"])
        assert pending == {load_letter(letters[n]).letter_id for n in ("live-here", "live-elsewhere")}
        # A writer on a server ingests side by side with the live pending letters, and repairs the same way.
        results = api.ingest([TEST_LETTERS[5]])
        assert [r.status for r in results] == ["added"]
        assert set(store.letters.get(where={"status": "pending"})["ids"]) == pending

