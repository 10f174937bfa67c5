"""Edge inputs a user meets: --html into a new folder, a bad --top, UTF-16 without a byte-order mark, NUL
bytes late in a file, a folder with no letters. Each gives the exit code and one line, never a traceback."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from imr_llm import LoadError
from imr_llm.store.load import load_letter
from imr_llm.cli import app

from conftest import GOLD_LETTER

runner = CliRunner()


def one_line_error(result) -> str:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("args", [["ask", str(GOLD_LETTER), "Why was PT overturned?"],
                                  ["summarize", str(GOLD_LETTER)],
                                  ["summarize", str(GOLD_LETTER), "--plain", "--lang", "es"]])
def test_html_into_a_missing_folder_creates_it(tmp_path, args):
    out = tmp_path / "new" / "deeper" / "page.html"
    result = runner.invoke(app, [*args, "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_html_that_cannot_be_written_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    out = blocker / "page.html"  # a folder that cannot exist: it is a file
    result = runner.invoke(app, ["summarize", str(GOLD_LETTER), "--html", str(out)])
    assert result.exit_code == 1
    assert one_line_error(result) == f"error: cannot write {out}: {blocker} is a file, not a folder"
    deeper = blocker / "sub" / "page.html"
    result = runner.invoke(app, ["ask", str(GOLD_LETTER), "Why was PT overturned?", "--html", str(deeper)])
    assert result.exit_code == 1
    assert one_line_error(result) == f"error: cannot write {deeper}: Not a directory"


@pytest.mark.parametrize("k", ["0", "-1"])
def test_top_below_one_is_a_usage_error(k):
    result = runner.invoke(app, ["ask", str(GOLD_LETTER), "Why was PT overturned?", "-k", k])
    assert result.exit_code == 2
    assert one_line_error(result) == f"error: --top/-k must be at least 1, not {k}"


def test_html_with_all_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["ask", "all", "Why was PT overturned?", "--html", str(tmp_path / "x.html")])
    assert result.exit_code == 2
    assert one_line_error(result) == "error: --html needs one letter (a file or a case), not 'all'"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_reads_like_utf8(tmp_path, encoding):
    path = tmp_path / f"{encoding}.txt"
    text = GOLD_LETTER.read_text(encoding="utf-8").replace("treater's", "treater\u2019s")
    path.write_bytes(text.encode(encoding))  # the -le/-be codecs write no BOM
    assert not path.read_bytes().startswith((b"\xff\xfe", b"\xfe\xff"))
    assert load_letter(path).text == load_letter(GOLD_LETTER).text.replace("treater's", "treater\u2019s")
    result = runner.invoke(app, ["summarize", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["items"][0]["decision"]["value"] == "overturned"


def test_utf16_with_an_odd_byte_count_is_one_line(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_bytes(b"\xff\xfe" + GOLD_LETTER.read_text().encode("utf-16-le") + b"A")
    result = runner.invoke(app, ["summarize", str(path)])
    assert result.exit_code == 1
    assert one_line_error(result).startswith(f"error: {path}: not valid UTF-16 text")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_a_nul_after_the_first_8_kb_is_refused_not_stored(tmp_path, encoding):
    text = GOLD_LETTER.read_text(encoding="utf-8")
    text = text + "\n" * (9000 - len(text)) + "\x00 trailing"  # the NUL is character 9,000
    path = tmp_path / "late-nul.txt"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(LoadError, match="binary file, not text"):
        load_letter(path)
    result = runner.invoke(app, ["ingest", str(path)])
    assert result.exit_code == 1
    where = "NUL byte at offset 9,000" if encoding == "utf-8" else "NUL at character 9,000"
    assert f"failed    {path}  {path}: binary file, not text ({where})" in result.stderr
    assert "0 added, 0 unchanged, 1 failed" in result.stderr


def test_a_folder_holding_only_a_symlink_loop_has_no_letters(tmp_path):
    folder = tmp_path / "letters"
    folder.mkdir()
    os.symlink(folder, folder / "loop")
    os.symlink("itself", folder / "itself")
    result = runner.invoke(app, ["ingest", str(folder)])
    assert result.exit_code == 1
    assert one_line_error(result) == (f"error: {folder}: no letter files found in this folder "
                                      "(.txt or .pdf, searched recursively)")


def test_a_folder_of_other_files_has_no_letters(tmp_path):
    (tmp_path / "notes.docx").write_bytes(b"PK")
    result = runner.invoke(app, ["ingest", str(tmp_path), "--json"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "no letter files found in this folder" in one_line_error(result)
