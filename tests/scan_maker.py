"""Make image-only PDFs, as a scanner makes them, from a letter's text.

The text is typeset on US-letter pages with reportlab (long lines wrapped, blank lines kept),
each page is rasterised to a greyscale image at a scanner's resolution (pypdfium2), roughed up the
way a paper letter fed through an office scanner is (a slight skew, blur, speckle, JPEG), and the
images alone are written into a new PDF (Pillow), so that the result has no text layer at all.
"""

from __future__ import annotations

import io
from pathlib import Path

PAGE_WIDTH, PAGE_HEIGHT = 612, 792  # US letter, in points
MARGIN = 60
FONT, FONT_SIZE, LEADING = "Times-Roman", 11, 13.5


def typeset(lines: list[str]) -> bytes:
    """A text-layer PDF of the lines, wrapped to the page width, as many pages as needed."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    pdf.setFont(FONT, FONT_SIZE)
    y = PAGE_HEIGHT - MARGIN
    for line in lines:
        wrapped = simpleSplit(line.rstrip(), FONT, FONT_SIZE, PAGE_WIDTH - 2 * MARGIN) or [""]
        for part in wrapped:
            if y < MARGIN:
                pdf.showPage()
                pdf.setFont(FONT, FONT_SIZE)
                y = PAGE_HEIGHT - MARGIN
            pdf.drawString(MARGIN, y, part)
            y -= LEADING
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def rasterise(pdf: bytes, dpi: int = 300) -> list:
    """Each page of a PDF as a greyscale PIL image at `dpi`."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return [document[n].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for n in range(len(document))]
    finally:
        document.close()


def scanned(image, seed: int, skew: float = 0.6):
    """A page image as an office scanner returns it: turned by up to `skew` degrees, a little blurred,
    with speckle on the paper (deterministic for a seed)."""
    import random

    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    image = image.rotate(rng.uniform(-skew, skew), resample=Image.BICUBIC, expand=False, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(0.7))
    noise = Image.effect_noise(image.size, 18).point(lambda v: 255 if v > 78 else 0)  # dark specks on ~0.3% of pixels
    return Image.composite(image, noise.convert("L"), noise.point(lambda v: 255 if v else 0).convert("1"))


def write_scan(path: Path, text: str, dpi: int = 300, *, rough: bool = True) -> Path:
    """An image-only PDF of `text` (one JPEG image per page, as a scanner writes it), at `path`."""
    images = rasterise(typeset(text.replace("\r\n", "\n").split("\n")), dpi)
    if rough:
        images = [scanned(image, seed=n) for n, image in enumerate(images)]
    images[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:], quality=85)
    return path
