"""Scanned letters: image-only PDFs of gold letters (typeset, rasterised at 200-300 dpi, skewed and
speckled like an office scan) are read by OCR, and read as their text versions are: the same items,
the same decisions, the spans on the right words, the letter marked as OCR'd and flagged for review,
in the library, the store, the CLI and the UI. Uses Debian's tesseract (scripts/setup.sh installs it)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader, PdfWriter
from rapidfuzz.distance import Levenshtein
from typer.testing import CliRunner

from imr_llm import LoadError, api
from imr_llm.parse import parse_letter
from imr_llm.store.load import load_letter
from imr_llm.cli import app as cli_app
from imr_llm.evaluation.gold import MATCH_THRESHOLD, item_similarity, match_items
from imr_llm.store.ocr import OCR_REVIEW_REASON

from conftest import GOLD, ROOT
from scan_maker import rasterise, typeset, write_scan
from ui_fixtures import served_ui  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow  # scans made and read by tesseract, and a UI

# One letter of each of the four layouts, with several items; scanned at 200 dpi, one at 300.
SCANNED = {
    "101_a_norco_two_doses.txt": 200,  # issues-decisions-rationales, 4 items (a drug at two doses)
    "107_b_shoulder_mri_pt.txt": 200,  # decisions-and-rationales (2013 MAXIMUS), 2 items
    "202_c_knee_mri_aquatic.txt": 200,  # maximus-federal-services, 2 items
    "208_d_lumbar_esi_mri.txt": 300,  # medical-professional-review, 2 items
}
FIELDS = ("case_number", "patient_age", "patient_sex", "date_of_injury", "ur_decision_date", "decision_date")


def squash(text: str) -> str:
    return " ".join(text.split()).lower()


def gold_text(name: str) -> str:
    return (GOLD / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("scans")
    return {name: write_scan(folder / name.replace(".txt", ".pdf"), gold_text(name), dpi)
            for name, dpi in SCANNED.items()}


@pytest.fixture(scope="module")
def read(scans) -> dict:
    """Each scan resolved as a user's file is: (letter, summary), read once for the module."""
    out = {}
    for name, path in scans.items():
        opened = api.default_client().open_letter(path)
        letter, summary = opened.letter, opened.summary
        out[name] = (letter, summary)
    return out


def test_a_scan_has_no_text_layer_and_is_read_by_ocr(scans, read):
    for name, path in scans.items():
        assert all(not (page.extract_text() or "").strip() for page in PdfReader(str(path)).pages), name
        letter, summary = read[name]
        assert letter.ocr, name
        assert summary.needs_review and OCR_REVIEW_REASON in summary.review_reasons, name
        words = 1 - Levenshtein.distance(gold_text(name).split(), letter.text.split()) / len(gold_text(name).split())
        assert words >= 0.97, (name, words)  # the words the paper carries, nearly all of them


@pytest.mark.parametrize("name", sorted(SCANNED))
def test_scanned_letter_reads_as_its_text_version(read, name):
    letter, summary = read[name]
    text_letter = load_letter(GOLD / name)
    reference = parse_letter(text_letter)
    assert not text_letter.ocr and not reference.needs_review
    assert summary.layout == reference.layout
    assert [i.decision.value for i in summary.items] == [i.decision.value for i in reference.items]
    pairs = match_items([i.item.value for i in reference.items], [i.item.value for i in summary.items])
    assert pairs == {n: n for n in range(len(reference.items))}, [i.item.value for i in summary.items]
    for field in FIELDS:
        want, got = getattr(reference, field), getattr(summary, field)
        assert (want and want.value) == (got and got.value), field
    for want, got in zip(reference.items, summary.items):
        # the spans index into the OCR text: the words at them are the item and the decision word
        assert item_similarity(got.item.span.slice(letter.text), want.item.value) >= MATCH_THRESHOLD
        assert squash(got.decision.span.slice(letter.text)) == squash(want.decision.span.slice(text_letter.text))
        assert [g.value for g in got.guidelines] == [g.value for g in want.guidelines]
        assert got.reason is not None and want.reason is not None
        assert item_similarity(got.reason.span.slice(letter.text), want.reason.value) >= MATCH_THRESHOLD


def test_pages_with_a_text_layer_are_kept_and_only_scanned_pages_are_read(tmp_path):
    """A letter whose first page came as text and whose other pages were scanned: page 1 is its text layer,
    the rest is OCR, joined as text-layer pages are."""
    name = "105_a_chiro_one_line.txt"
    typeset_pdf = typeset(gold_text(name).split("\n"))
    text_pages, images = PdfReader(io.BytesIO(typeset_pdf)), rasterise(typeset_pdf, 200)
    assert len(images) >= 2
    scan = io.BytesIO()
    images[1].save(scan, "PDF", resolution=200.0, save_all=True, append_images=images[2:])
    writer = PdfWriter()
    writer.add_page(text_pages.pages[0])
    for page in PdfReader(scan).pages:
        writer.add_page(page)
    path = tmp_path / "mixed.pdf"
    writer.write(path)

    letter = load_letter(path)
    summary = parse_letter(letter)
    first = text_pages.pages[0].extract_text()
    assert letter.ocr
    assert letter.text.startswith(first + "\n") and len(letter.text) > len(first) + 500
    reference = parse_letter(load_letter(GOLD / name))
    assert [(i.item.value, i.decision.value) for i in summary.items] == \
           [(i.item.value, i.decision.value) for i in reference.items]


def test_a_page_scanned_upside_down_is_read_the_right_way_up(tmp_path):
    name = "105_a_chiro_one_line.txt"
    images = rasterise(typeset(gold_text(name).split("\n")), 200)
    assert len(images) >= 2
    images[1] = images[1].rotate(180)  # the second sheet went through the feeder the other way round
    path = tmp_path / "upside-down.pdf"
    images[0].save(path, "PDF", resolution=200.0, save_all=True, append_images=images[1:])
    letter = load_letter(path)
    summary, reference = parse_letter(letter), parse_letter(load_letter(GOLD / name))
    assert letter.ocr
    assert [(i.item.value, i.decision.value) for i in summary.items] == \
           [(i.item.value, i.decision.value) for i in reference.items]
    decision = summary.items[0].decision
    assert decision.span.slice(letter.text) == "Upheld"


def test_a_text_pdf_with_a_blank_page_needs_no_ocr(tmp_path, monkeypatch):
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(typeset(gold_text("209_d_question_shoulder_pt.txt").split("\n")))).pages:
        writer.add_page(page)
    writer.add_blank_page()
    path = tmp_path / "with-blank-page.pdf"
    writer.write(path)
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract: a blank page must not need it
    letter = load_letter(path)
    assert not letter.ocr
    assert [i.decision.value for i in parse_letter(letter).items] == ["upheld"]


def test_without_tesseract_a_scan_gets_one_line_naming_the_install_command(tmp_path, monkeypatch):
    path = write_scan(tmp_path / "scan.pdf", gold_text("209_d_question_shoulder_pt.txt"), 200)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(LoadError) as err:
        load_letter(path)
    message = str(err.value)
    assert message.startswith(f"{path}: PDF has no text layer") and "\n" not in message
    assert "apt-get install -y tesseract-ocr tesseract-ocr-eng" in message


def test_the_ocr_mark_survives_ingest(scans, read):
    name = "208_d_lumbar_esi_mri.txt"
    results = api.ingest([scans[name]])
    assert [r.status for r in results] == ["added"], results
    opened = api.default_client().open_letter(results[0].case_id)
    letter, summary = opened.letter, opened.summary
    assert opened.stored
    assert letter.ocr and OCR_REVIEW_REASON in summary.review_reasons
    assert letter.text == read[name][0].text  # the OCR text is the stored letter text
    assert [i.model_dump() for i in summary.items] == [i.model_dump() for i in read[name][1].items]
    assert api.ingest([scans[name]])[0].status == "unchanged"  # OCR reads the same scan the same way


def test_cli_summarize_says_the_letter_was_read_by_ocr(scans):
    result = CliRunner().invoke(cli_app, ["summarize", str(scans["107_b_shoulder_mri_pt.txt"])])
    assert result.exit_code == 0, result.output
    assert re.search(r"read by\s+OCR, from a scanned PDF", result.output)
    assert f"review: {OCR_REVIEW_REASON}" in result.output


@pytest.mark.filterwarnings("ignore:.*(no_silent_downcasting|copy keyword is deprecated)")
def test_the_ui_shows_that_a_scanned_case_was_read_by_ocr(served_ui, scans, read):
    from gradio_client import Client, handle_file

    name = "202_c_knee_mri_aquatic.txt"
    client = Client(served_ui.url, analytics_enabled=False, verbose=False)
    status, _, case = client.predict(handle_file(scans[name]), api_name="/upload")
    assert "added as case" in status, status
    fields, _, letter_html = client.predict(case, api_name="/summarize")
    assert "Scanned letter, read by OCR" in fields
    marks = re.findall(r'<mark class="(upheld|overturned)"[^>]*>(.*?)(?:<sup>.*?</sup>)?</mark>', letter_html, re.S)
    letter, summary = read[name]
    for item in summary.items:  # the item and its decision word are highlighted in the OCR text, in its colour
        assert (item.decision.value, item.item.span.slice(letter.text)) in marks, marks
        assert (item.decision.value, item.decision.span.slice(letter.text)) in marks, marks
    typed, _, _ = client.predict(next(iter(served_ui.cases.values())), api_name="/summarize")
    assert "read by OCR" not in typed  # a letter that came as text has no such note


def test_a_scan_of_something_else_is_not_a_letter_and_says_it_was_read_by_ocr(tmp_path):
    from imr_llm import NotALetterError

    path = write_scan(tmp_path / "recipe.pdf", "Mix the flour and the butter, then bake for 20 minutes.\n", 200)
    with pytest.raises(NotALetterError, match=r"not an IMR determination letter .*read by OCR from a scan"):
        load_letter(path)
