"""Time OCR of scanned letters on this machine: image-only PDFs of gold letters (tests/scan_maker.py),
read by imr_llm.store.ocr as `imr-llm` reads them. Prints wall and CPU seconds per page.

    python scripts/ocr_speed.py [DPI] [LETTER.txt ...]     (default: 200 dpi, four gold letters)
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from scan_maker import write_scan  # noqa: E402

from imr_llm.store import ocr

LETTERS = ["101_a_norco_two_doses.txt", "107_b_shoulder_mri_pt.txt", "202_c_knee_mri_aquatic.txt",
           "208_d_lumbar_esi_mri.txt"]


def cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    dpi = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    names = sys.argv[2:] or LETTERS
    pages = wall = used = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            path = write_scan(Path(folder) / (Path(name).stem + ".pdf"), (ROOT / "evals" / "gold" / name).read_text(), dpi)
            import pypdfium2 as pdfium

            count = len(pdfium.PdfDocument(str(path)))
            start, start_cpu = time.perf_counter(), cpu()
            ocr.ocr_pages(path, list(range(count)))
            wall, used, pages = wall + time.perf_counter() - start, used + cpu() - start_cpu, pages + count
            print(f"{name}: {count} page(s), {(time.perf_counter() - start) / count:.2f} s a page")
    print(f"{pages:.0f} pages at {dpi} dpi: {wall / pages:.2f} s a page (wall), {used / pages:.2f} s of CPU a page")


if __name__ == "__main__":
    main()
