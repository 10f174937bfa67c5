"""A plain summary as one printable HTML page with large type: `plain_page(plain) -> str` (pure).

Every element is built by `imr_llm.present.markup`, which escapes the letter's text (item names and quotes)."""

from __future__ import annotations

from ..present.markup import Html, document, element, join
from .summary import PlainSummary, phrases

__all__ = ["plain_page"]

_LABELS = {
    "en": {"why": "Why", "source": "From the letter", "words": "Words in your letter", "engine": "Made by",
           "notes": "Notes"},
    "es": {"why": "Por qué", "source": "De la carta (en inglés)", "words": "Palabras de su carta",
           "engine": "Hecho por", "notes": "Notas"},
}

_STYLE = """
@page{size:letter;margin:0.6in}
html{font-size:20px}
body{max-width:46rem;margin:1.5rem auto;padding:0 1rem;font-family:Verdana,Arial,sans-serif;line-height:1.5;color:#111}
h1{font-size:1.6rem;margin:0 0 .6rem}
h2{font-size:1.25rem;margin:1.2rem 0 .4rem}
p{margin:.4rem 0}
.item{border:3px solid #999;border-radius:10px;padding:.6rem .9rem;margin:.7rem 0;break-inside:avoid}
.item.yes{border-color:#1b7f3b}
.item.no{border-color:#b42318}
.what{font-weight:bold}
.outcome{display:inline-block;font-size:1.3rem;font-weight:bold;padding:.1rem .6rem;border-radius:6px;color:#fff}
.yes .outcome{background:#1b7f3b}
.no .outcome{background:#b42318}
.source{font-size:.75rem;color:#444;margin-top:.3rem}
ul{padding-left:1.3rem;margin:.3rem 0}
li{margin:.25rem 0}
dl.words{font-size:.8rem;display:grid;grid-template-columns:max-content 1fr;gap:.15rem .8rem}
dl.words dt{font-weight:bold}
dl.words dd{margin:0}
.meta{font-size:.7rem;color:#555;margin-top:1rem}
@media print{html{font-size:14pt}body{margin:0;max-width:none}.source,dl.words,.meta{font-size:10pt}}
"""


def _item(item, labels: dict[str, str]) -> Html:
    quotes = list(dict.fromkeys(s.quote for s in item.sources if s.quote))
    return element(
        "section",
        element("p", item.item, class_="what"),
        element("p", element("span", item.outcome.upper(), class_="outcome")),
        element("p", element("b", f"{labels['why']}:"), " ", " ".join(item.why)),
        *(element("p", f"{labels['source']}: “{quote}”", class_="source") for quote in quotes),
        class_=f"item {'yes' if item.approved else 'no'}", id=f"item-{item.index}")


def plain_page(plain: PlainSummary, *, max_terms: int = 8) -> Html:
    """The whole page: title, introduction, one box per item (outcome in large letters, why, the letter's
    sentence it rests on), what the words mean, next steps, and the letter's jargon explained."""
    labels = _LABELS.get(plain.lang, _LABELS["en"])
    words = phrases(plain.lang)
    title = plain.text.splitlines()[0] if plain.text else plain.title
    out: list[object] = [element("h1", title)]
    out += [element("p", line) for line in words["intro"]]
    out += [_item(item, labels) for item in plain.items]
    out.append(element("p", words["meaning"]))
    out.append(element("h2", words["next"].rstrip(":")))
    out.append(element("ul", *(element("li", step) for step in plain.next_steps)))
    terms = [t for t in plain.glossary if t["term"] not in ("upheld", "overturned")][:max_terms]
    if terms:
        out.append(element("h2", labels["words"]))
        out.append(element("dl", *(join([element("dt", t["term"]), element("dd", f"{t['plain']}: {t['meaning']}")])
                                   for t in terms), class_="words"))
    meta = f"{labels['engine']}: imr-llm ({plain.engine_text}) · {plain.case_id}"
    if plain.notes:
        meta += f" · {labels['notes']}: " + "; ".join(plain.notes)
    out.append(element("p", meta, class_="meta"))
    return document(title, join(out), style=_STYLE, lang=plain.lang)
