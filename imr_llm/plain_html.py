"""A plain summary as one printable HTML page with large type: `plain_page(plain) -> str` (pure)."""

from __future__ import annotations

import html

from .plain import PlainSummary, phrases

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


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def plain_page(plain: PlainSummary, *, max_terms: int = 8) -> str:
    """The whole page: title, introduction, one box per item (outcome in large letters, why, the letter's
    sentence it rests on), what the words mean, next steps, and the letter's jargon explained."""
    labels = _LABELS.get(plain.lang, _LABELS["en"])
    words = phrases(plain.lang)
    title = plain.text.splitlines()[0] if plain.text else plain.title
    out = [f"<h1>{_e(title)}</h1>"]
    out += [f"<p>{_e(line)}</p>" for line in words["intro"]]
    for item in plain.items:
        kind = "yes" if item.approved else "no"
        out.append(f'<section class="item {kind}" id="item-{item.index}">')
        out.append(f'<p class="what">{_e(item.item)}</p>')
        out.append(f'<p><span class="outcome">{_e(item.outcome.upper())}</span></p>')
        out.append(f"<p><b>{labels['why']}:</b> {_e(' '.join(item.why))}</p>")
        quotes = list(dict.fromkeys(s.quote for s in item.sources if s.quote))
        for quote in quotes:
            out.append(f'<p class="source">{labels["source"]}: “{_e(quote)}”</p>')
        out.append("</section>")
    out.append(f"<p>{_e(words['meaning'])}</p>")
    out.append(f"<h2>{_e(words['next'].rstrip(':'))}</h2><ul>")
    out += [f"<li>{_e(step)}</li>" for step in plain.next_steps]
    out.append("</ul>")
    terms = [t for t in plain.glossary if t["term"] not in ("upheld", "overturned")][:max_terms]
    if terms:
        out.append(f"<h2>{labels['words']}</h2><dl class=\"words\">")
        out += [f"<dt>{_e(t['term'])}</dt><dd>{_e(t['plain'])}: {_e(t['meaning'])}</dd>" for t in terms]
        out.append("</dl>")
    meta = f"{labels['engine']}: imr-llm ({_e(plain.engine)}) · {_e(plain.case_id)}"
    if plain.notes:
        meta += f" · {labels['notes']}: " + "; ".join(_e(n) for n in plain.notes)
    out.append(f'<p class="meta">{meta}</p>')
    return (f"<!doctype html><html lang=\"{_e(plain.lang)}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>{''.join(out)}</body></html>")
