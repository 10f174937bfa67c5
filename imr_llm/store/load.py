"""Load letters from .txt and .pdf files into normalised `Letter` records.

Normalisation only changes line endings, form feeds, byte-order marks and
non-breaking spaces, so that offsets stay meaningful to a reader of the file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import LoadError, NotALetterError
from ..models import Letter

__all__ = ["MAX_LETTER_BYTES", "iter_letter_files", "letter_files", "letter_from_text", "load_letter", "normalise"]

MAX_LETTER_BYTES = 10 * 1024 * 1024
SUFFIXES = (".txt", ".pdf")
_SAMPLE = 8192  # bytes (or characters) looked at to tell text from binary

# Phrases of which a real IMR determination letter carries several.
_LETTER_MARKERS = [
    r"independent\s+medical\s+review",
    r"\bIMR\b",
    r"MAXIMUS",
    r"medically\s*necessary",
    r"utilization\s+review|\bUR\b",
    r"\b(upheld|overturned)\b",
    r"claims\s+administrator",
    r"MTUS|ODG|ACOEM|guideline",
    r"expert\s+reviewer|physician\s+reviewer|professional\s+reviewer|medical\s+reviewer",
]


# Characters that change nothing a reader sees: soft hyphens vanish, typographic ligatures become letters.
_INVISIBLE = str.maketrans({"\u00ad": None, "\u200b": None, "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl",
                            "\ufb03": "ffi", "\ufb04": "ffl", "\u00a0": " ", "\t": " "})


def normalise(text: str) -> str:
    """The letter text every offset refers to: LF line ends, no form feeds, tabs or soft hyphens."""
    text = text.lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\n\x0c", "\n").replace("\x0c", "\n")  # a page break between lines is not a blank line
    return text.translate(_INVISIBLE)


def letter_id_for(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def letter_from_text(text: str, source: str = "<text>", *, check: bool = True) -> Letter:
    """Build a `Letter` from raw text, raising `NotALetterError` if it is not an IMR letter."""
    text = normalise(text)
    if not text.strip():
        raise LoadError(source, "empty file")
    if check:
        hits = sum(1 for pattern in _LETTER_MARKERS if re.search(pattern, text, re.IGNORECASE))
        if hits < 3:
            raise NotALetterError(source, "not an IMR determination letter (no IMR decision wording found)")
    return Letter(letter_id=letter_id_for(text), source=source, text=text)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes look like UTF-16 text with no byte-order mark: the
    letters' mostly-Latin text has a NUL as the high byte of nearly every character, so NULs fill one
    of the two byte positions and are almost absent from the other."""
    sample = data[:_SAMPLE]
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even, odd = sample[0 : 2 * pairs : 2].count(0), sample[1 : 2 * pairs : 2].count(0)
    if odd >= 0.6 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.6 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _decode(data: bytes, source: str) -> str:
    """Text from the bytes of a .txt letter: UTF-16 (with or without a byte-order mark), UTF-8, else
    cp1252. A NUL anywhere in the text means it is not a text file: refused, never silently stored."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else _utf16_without_bom(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise LoadError(source, f"not valid UTF-16 text (bad bytes at offset {exc.start:,})") from None
        nul = text.find("\x00")
        if nul >= 0:
            raise LoadError(source, f"binary file, not text (NUL at character {nul:,})")
    else:
        nul = data.find(b"\x00")
        if nul >= 0:
            raise LoadError(source, f"binary file, not text (NUL byte at offset {nul:,})")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text[:_SAMPLE] if ord(ch) < 32 and ch not in "\n\r\t\x0c")
    if controls > max(8, len(text[:_SAMPLE]) // 100):
        raise LoadError(source, "binary file, not text")
    return text


def _read_pdf(path: Path) -> tuple[str, bool]:
    """The PDF's text, pages joined by a newline, and whether any page had to be read by OCR (a scan)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise LoadError(str(path), f"unreadable PDF ({exc.__class__.__name__})") from exc
    scanned = [n for n, page in enumerate(pages) if not page.strip()]
    if scanned:  # pages without a text layer: read their images by OCR
        from .ocr import ocr_pages

        read = ocr_pages(path, scanned)
        pages = [read.get(n, page) for n, page in enumerate(pages)]
        scanned = [n for n in scanned if read[n].strip()]
    text = "\n".join(pages)
    if not text.strip():
        raise LoadError(str(path), "PDF has no text layer and no scanned page image that OCR could read")
    return text, bool(scanned)


def load_letter(path: str | Path, *, max_bytes: int = MAX_LETTER_BYTES) -> Letter:
    """Read one .txt or .pdf file as a `Letter`; every failure is a one-line `LoadError`."""
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise LoadError(source, "no such file")
    if path.suffix.lower() not in SUFFIXES:
        raise LoadError(source, f"unsupported file type {path.suffix or '(none)'!r}; expected .txt or .pdf")
    size = path.stat().st_size
    if size == 0:
        raise LoadError(source, "empty file")
    if size > max_bytes:
        raise LoadError(source, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
    if path.suffix.lower() == ".pdf":
        text, scanned = _read_pdf(path)
        if scanned:
            try:
                return letter_from_text(text, source).model_copy(update={"ocr": True})
            except NotALetterError as exc:
                raise NotALetterError(source, f"{exc.reason}; its text was read by OCR from a scan") from None
    else:
        text = _decode(path.read_bytes(), source)
    return letter_from_text(text, source)


def iter_letter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield letter files: files as given, folders recursively (.txt and .pdf, sorted; hidden files and
    symbolic links to folders are skipped, so a link loop cannot recurse)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUFFIXES and not child.name.startswith("."):
                    yield child
        else:
            yield path


def letter_files(paths: Iterable[str | Path]) -> list[Path]:
    """The letter files of `paths` as `iter_letter_files` finds them; a folder holding none (empty, other
    file types only, or only a symbolic-link loop) is a `LoadError`, never a silent "0 added"."""
    files: list[Path] = []
    for raw in paths:
        found = list(iter_letter_files([raw]))
        if not found:
            raise LoadError(str(raw), "no letter files found in this folder (.txt or .pdf, searched recursively)")
        files += found
    return files
