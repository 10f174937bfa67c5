"""Read scanned pages of a PDF by OCR, with Debian's tesseract.

Injured workers and their attorneys get letters by mail and scan them, so many PDFs have pages
with no text layer. Such a page is rendered at the resolution it was scanned at (pypdfium2),
cleared of scanner specks, and read by the `tesseract` program. What OCR read IS the letter
text: it is normalised like any letter's (and OCR's own habits undone: ligatures, curly quotes,
a case number split in two, the 5 of a spinal level read as S), and every span indexes into it,
so highlights land on the words OCR read. A letter read this way is marked (`Letter.ocr`), and
its summary is flagged for review, since OCR can misread a word a decision depends on.

A page that reads as no English (fed upside down or sideways) is read again with tesseract's
orientation detection, which costs about half as much again, so only such pages pay for it. A page
with any text layer is taken as it is (a scan with a typed stamp on it is not OCR'd).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import LoadError
from ..models import DecisionSummary, Letter

__all__ = ["INSTALL_TESSERACT", "OCR_REVIEW_REASON", "MAX_OCR_PAGES", "mark_ocr", "ocr_pages", "read_by_ocr"]

INSTALL_TESSERACT = "sudo apt-get install -y tesseract-ocr tesseract-ocr-eng"
OCR_REVIEW_REASON = "read by OCR from a scanned PDF: check the decisions against the paper letter"
MAX_OCR_PAGES = 60  # an IMR letter has a few pages; a longer scan is not one letter
PAGE_TIMEOUT_S = 180
_DPI_RANGE = (200, 300)  # the scan's own resolution, within this: past 300 dpi OCR only gets slower on letter type
# Characters OCR writes for what a letter prints in ASCII (ligatures and typographic quotes).
_OCR_CHARS = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
# OCR splits a case number after its letters ("CM 15-0019563"; the "M1" pair is kerned tight in print).
_SPLIT_CASE_NUMBER = re.compile(r"\bCM (?=\d{2}-\d{5,7}\b)")
# OCR reads the 5 of a spinal level as an S ("LS-S1", "L4-LS", "CS-C6"), which no letter prints.
_SPINAL_FIVE = re.compile(r"\b([CTL])S(?=-[CTLS]\d)|(?<=\b[CTL]\d-)([CTL])S\b")
_cache: dict[tuple, dict[int, str]] = {}  # (path, size, mtime) -> page texts, so one file is read once


def _scan_dpi(page) -> float | None:
    """Pixels per inch of the largest image on the page (the scan); None for a page with no image."""
    import pypdfium2.raw as pdfium_c

    best, dpi = 0.0, None
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        left, bottom, right, top = image.get_bounds()
        width_px, _ = image.get_px_size()
        area = (right - left) * (top - bottom)
        if area >= best and right - left > 1:
            best, dpi = area, width_px / ((right - left) / 72)
    return None if dpi is None else min(max(dpi, _DPI_RANGE[0]), _DPI_RANGE[1])


def _page_png(page, dpi: float) -> bytes:
    """The page as a greyscale PNG at its scan resolution, isolated specks removed."""
    from PIL import ImageFilter

    image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    out = io.BytesIO()
    image.filter(ImageFilter.MedianFilter(3)).save(out, "PNG")
    return out.getvalue()


_COMMON_WORDS = {"the", "and", "of", "to", "for", "is", "in", "a", "was", "with", "on", "that", "this"}


def _reads_as_english(text: str) -> bool:
    words = re.findall(r"[A-Za-z]+", text)
    return len(words) < 30 or sum(w.lower() in _COMMON_WORDS for w in words) >= 0.05 * len(words)


def _read_page(png: bytes, source: str, number: int) -> str:
    """A page's text: automatic page segmentation, then, for a page that is not upright, with orientation."""
    text = _tesseract(png, source, number, "3")
    if not _reads_as_english(text):
        turned = _tesseract(png, source, number, "1")
        text = turned if _reads_as_english(turned) else text
    text = _SPLIT_CASE_NUMBER.sub("CM", text.translate(_OCR_CHARS))
    return _SPINAL_FIVE.sub(lambda m: (m.group(1) or m.group(2)) + "5", text).rstrip()


def _tesseract(png: bytes, source: str, number: int, mode: str) -> str:
    # One thread per tesseract: pages run side by side, one per core, which beats OpenMP inside one page.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(["tesseract", "stdin", "stdout", "-l", "eng", "--psm", mode], input=png,
                              capture_output=True, timeout=PAGE_TIMEOUT_S, env=env, check=False)
    except FileNotFoundError:
        raise _missing(source) from None
    except subprocess.TimeoutExpired:
        raise LoadError(source, f"OCR of page {number + 1} took over {PAGE_TIMEOUT_S} s; gave up") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace")
        if "traineddata" in message or "Failed loading language" in message:
            raise _missing(source)
        last = (message.strip().splitlines() or ["no message"])[-1]
        raise LoadError(source, f"OCR of page {number + 1} failed (tesseract: {last})")
    return done.stdout.decode("utf-8", "replace")


def _missing(source: str) -> LoadError:
    return LoadError(source, f"PDF has no text layer (a scan) and reading it needs OCR by tesseract with its English "
                             f"data, which is not installed; install it with: {INSTALL_TESSERACT}")


def ocr_pages(path: str | Path, numbers: list[int]) -> dict[int, str]:
    """The OCR text of the given 0-based pages of a PDF, by page number ("" for a page with no image to
    read, such as a blank page); a failure is one `LoadError`."""
    path, source = Path(path), str(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    known = _cache.get(key, {})
    todo = [n for n in numbers if n not in known]
    if todo:
        known = {**known, **_read_pages(path, source, todo)}
        if len(_cache) >= 8:
            _cache.clear()
        _cache[key] = known
    return {n: known[n] for n in numbers}


def _read_pages(path: Path, source: str, numbers: list[int]) -> dict[int, str]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise LoadError(source, f"unreadable PDF ({exc})") from exc
    try:  # pdfium is not thread-safe: every page is rendered before OCR starts
        dpis = {n: _scan_dpi(document[n]) for n in numbers}
        scans = [n for n in numbers if dpis[n] is not None]
        if len(scans) > MAX_OCR_PAGES:
            raise LoadError(source, f"{len(scans)} scanned pages to read by OCR, over the {MAX_OCR_PAGES}-page "
                                    "limit for one letter")
        if scans and shutil.which("tesseract") is None:
            raise _missing(source)
        images = {n: _page_png(document[n], dpis[n]) for n in scans}
    finally:
        document.close()
    with ThreadPoolExecutor(max(1, min(len(scans), os.cpu_count() or 1))) as pool:
        texts = dict(zip(scans, pool.map(lambda n: _read_page(images[n], source, n), scans)))
    return {n: texts.get(n, "") for n in numbers}


def read_by_ocr(summary: DecisionSummary) -> bool:
    """Whether a summary (parsed now, or read back from the store) is of a letter read by OCR."""
    return OCR_REVIEW_REASON in summary.review_reasons


def mark_ocr(letter: Letter, summary: DecisionSummary) -> tuple[Letter, DecisionSummary]:
    """Keep a letter and its summary in step: an OCR'd letter's summary is flagged for review (the flag is
    stored with the summary), and a letter whose stored summary carries the flag is marked as OCR'd."""
    if letter.ocr:
        summary.flag(OCR_REVIEW_REASON)
    elif read_by_ocr(summary):
        letter = letter.model_copy(update={"ocr": True})
    return letter, summary
