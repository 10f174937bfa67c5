"""Loading: encodings, PDFs, folders, and a one-line error naming the file for each bad input."""

from __future__ import annotations

import pytest

from imr_llm import LoadError, NotALetterError
from imr_llm.parse import parse_letter
from imr_llm.store.load import load_letter
from imr_llm.store.load import iter_letter_files

from conftest import GOLD_LETTER
from pdf_maker import write_pdf


def test_cp1252_and_crlf_text_reads_like_utf8(tmp_path):
    text = GOLD_LETTER.read_text(encoding="utf-8").replace("treater's", "treater\u2019s")
    utf8 = tmp_path / "utf8.txt"
    utf8.write_text(text, encoding="utf-8")
    cp1252 = tmp_path / "cp1252.txt"
    cp1252.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    a, b = load_letter(utf8), load_letter(cp1252)
    assert a.text == b.text
    assert "\r" not in b.text and "treater\u2019s" in b.text
    assert a.letter_id == b.letter_id


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + GOLD_LETTER.read_bytes())
    assert load_letter(path).text == load_letter(GOLD_LETTER).text


def test_pdf_with_text_layer_parses(tmp_path):
    lines = [line for line in GOLD_LETTER.read_text().splitlines() if line.strip()]
    letter = load_letter(write_pdf(tmp_path / "letter.pdf", lines))
    summary = parse_letter(letter)
    assert [i.decision.value for i in summary.items] == ["overturned"]
    assert summary.patient_age.value == 36


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"   \n\n  ", "empty file"),
        ("binary.txt", bytes(range(256)) * 20, "binary file, not text"),
        ("recipe.txt", b"Mix the flour and the butter, then bake for 20 minutes at 180 degrees.", "not an IMR"),
        ("notes.docx", b"PK\x03\x04 something", "unsupported file type '.docx'"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "unreadable PDF"),
    ],
)
def test_bad_inputs_give_one_line_error_naming_the_file(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as err:
        load_letter(path)
    message = str(err.value)
    assert message.startswith(str(path) + ": ")
    assert reason in message
    assert "\n" not in message


def test_scanned_pdf_without_text(tmp_path):
    with pytest.raises(LoadError, match="no text layer"):
        load_letter(write_pdf(tmp_path / "scan.pdf", None))


def test_not_a_letter_is_its_own_error(tmp_path):
    path = tmp_path / "memo.txt"
    path.write_text("Team lunch is on Friday at noon in the main conference room.")
    with pytest.raises(NotALetterError):
        load_letter(path)


def test_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(GOLD_LETTER.read_text() * 3)
    with pytest.raises(LoadError, match="over the 1,000-byte limit"):
        load_letter(path, max_bytes=1000)


def test_folder_is_read_recursively_and_sorted(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for rel in ("z.txt", "a/y.pdf", "a/b/x.txt", "a/b/ignored.json", "a/.hidden.txt"):
        (tmp_path / rel).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_letter_files([tmp_path])]
    assert found == ["a/b/x.txt", "a/y.pdf", "z.txt"]
