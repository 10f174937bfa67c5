"""Load letters from .txt and .pdf files into normalised `Letter` records.

Normalisation only changes line endings, form feeds, byte-order marks and
non-breaking spaces, so that offsets stay meaningful to a reader of the file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import LoadError, NotALetterError
from .models import Letter

__all__ = ["MAX_LETTER_BYTES", "iter_letter_files", "letter_from_text", "load_letter", "normalise"]

MAX_LETTER_BYTES = 10 * 1024 * 1024
SUFFIXES = (".txt", ".pdf")

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


def normalise(text: str) -> str:
    text = text.lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
    return text.replace("\u00a0", " ").replace("\t", " ")


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


def _decode(data: bytes, source: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    sample = data[:8192]
    if b"\x00" in sample:
        raise LoadError(source, "binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\x0c")
    if controls > max(8, len(text[:8192]) // 100):
        raise LoadError(source, "binary file, not text")
    return text


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise LoadError(str(path), f"unreadable PDF ({exc.__class__.__name__})") from exc
    text = "\n".join(pages)
    if not text.strip():
        raise LoadError(str(path), "PDF has no text layer (scanned image?); run OCR first")
    return text


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
        text = _read_pdf(path)
    else:
        text = _decode(path.read_bytes(), source)
    return letter_from_text(text, source)


def iter_letter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield letter files: files as given, folders recursively (.txt and .pdf, sorted)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUFFIXES and not child.name.startswith("."):
                    yield child
        else:
            yield path
