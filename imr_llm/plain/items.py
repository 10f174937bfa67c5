"""Disputed items in everyday words, English and Spanish.

English keeps the letter's own words and adds a short meaning to the first treatment term:
"Physical Therapy (PT), (2) times a week for (4) weeks for the left leg and neck" ->
"Physical therapy (exercise treatment with a therapist), 2 times a week for 4 weeks for the left leg and neck".

Spanish is rebuilt from recognised parts (treatment, body site, spine levels, schedule, amounts). Numbers are
copied as the letter writes them. When a word of the item is not recognised, the Spanish keeps the item as
the letter writes it, in quotes, so nothing is dropped or guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .glossary import TERMS, Lang, Term

__all__ = ["clean_item", "plain_item"]

I = re.IGNORECASE
STRENGTH = r"\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?\s?(?:mg|mcg|%)"
LEVELS = r"[CLTS]\d(?:-[CLTS]?\d)?(?:(?:,| and|,? &| to) [CLTS]\d(?:-[CLTS]?\d)?)*"

_EN_WORDS: list[tuple[str, str]] = [
    (r"\b(?:the )?bilateral upper extremities\b", "both arms"),
    (r"\b(?:the )?bilateral lower extremities\b", "both legs"),
    (r"\b(left|right) upper extremity\b", r"\1 arm"),
    (r"\b(left|right) lower extremity\b", r"\1 leg"),
    (r"\blumbar spine\b", "low back (lumbar spine)"),
    (r"\bcervical spine\b", "neck (cervical spine)"),
    (r"\bthoracic spine\b", "mid back (thoracic spine)"),
    (r"\bpost-?operative\b", "after-surgery"),
    (r",?\s*#\s?(\d+)", r", quantity \1"),
    (r"\s+x\s+(\d+)\s+(hours|visits|sessions)\b", r", \1 \2"),
    (r"\s*\(purchase\)|,?\s*\bpurchase\b", ", to buy"),
]

# Spanish body sites: English words -> (Spanish with article, feminine?) ; None = no side adjective.
_SITES: dict[str, tuple[str, bool | None]] = {
    "bilateral upper extremities": ("ambos brazos", None), "bilateral lower extremities": ("ambas piernas", None),
    "upper extremities": ("los brazos", None), "lower extremities": ("las piernas", None),
    "upper extremity": ("el brazo", False), "lower extremity": ("la pierna", True),
    "lumbar spine": ("la parte baja de la espalda (columna lumbar)", None),
    "cervical spine": ("el cuello (columna cervical)", None),
    "thoracic spine": ("la parte media de la espalda (columna torácica)", None),
    "low back": ("la parte baja de la espalda", None), "lower back": ("la parte baja de la espalda", None),
    "leg": ("la pierna", True), "legs": ("las piernas", None), "neck": ("el cuello", None),
    "knee": ("la rodilla", True), "shoulder": ("el hombro", False), "arm": ("el brazo", False),
    "hand": ("la mano", True), "wrist": ("la muñeca", True), "ankle": ("el tobillo", False),
    "foot": ("el pie", False), "hip": ("la cadera", True), "elbow": ("el codo", False), "back": ("la espalda", None),
    "head": ("la cabeza", None), "spine": ("la columna", None),
}
_SITE_RE = "|".join(sorted((re.escape(k) for k in _SITES), key=len, reverse=True))
_PREP = {"for": "para", "to": "en", "of": "de", "in": "en", "at": "en", "on": "en", None: "de"}
_SIDE = {("left", True): "izquierda", ("left", False): "izquierdo",
         ("right", True): "derecha", ("right", False): "derecho"}
_REGION = {"cervical": "en el cuello (zona cervical)", "lumbar": "en la parte baja de la espalda (zona lumbar)",
           "thoracic": "en la parte media de la espalda (zona torácica)"}
_COUNT_ES = {"two": "dos", "three": "tres", "four": "cuatro", "six": "seis"}


def _plural(n: str, one: str, many: str) -> str:
    return f"{n} {one if n == '1' else many}"


def _site_es(m: re.Match) -> str:
    def one(side: str | None, body: str) -> str:
        if (side or "").lower() == "bilateral" and f"bilateral {body.lower()}" in _SITES:
            side, body = None, f"bilateral {body.lower()}"
        noun, fem = _SITES[body.lower()]
        if side and side.lower() in ("left", "right") and fem is not None:
            noun += " " + _SIDE[(side.lower(), fem)]
        return noun

    prep = _PREP[(m["prep"] or "").lower() or None]
    text = f"{prep} {one(m['side'], m['body'])}"
    if m["body2"]:
        text += " y " + one(m["side2"], m["body2"])
    if (m["side"] or "").lower() == "bilateral" and "ambos" not in text and "ambas" not in text:
        text += ", de ambos lados"
    return text.replace("de el ", "del ").replace("para el ", "para el ")


_DETAILS: list[tuple[str, Callable[[re.Match], str]]] = [
    (r"(\d+) hours? a day, (\d+) days? a week for (\d+) weeks?",
     lambda m: f"{_plural(m[1], 'hora', 'horas')} al día, {_plural(m[2], 'día', 'días')} a la semana durante "
               f"{_plural(m[3], 'semana', 'semanas')}"),
    (r"\(?(\d+)\)? times? (?:a|per) week for \(?(\d+)\)? weeks?",
     lambda m: f"{_plural(m[1], 'vez', 'veces')} por semana durante {_plural(m[2], 'semana', 'semanas')}"),
    (r"(\d+) ?x ?(\d+)", lambda m: m[0]),
    (r"\(?(?:x\s*)?(\d+) (sessions?|visits?|treatments?)\)?",
     lambda m: f"{m[1]} " + {"s": "sesiones", "v": "visitas", "t": "tratamientos"}[m[2][0].lower()]
     if m[1] != "1" else "1 " + {"s": "sesión", "v": "visita", "t": "tratamiento"}[m[2][0].lower()]),
    (r"(\d+)[ -]day rental", lambda m: f"alquiler por {_plural(m[1], 'día', 'días')}"),
    (r"(\d+)[ -]day home trial", lambda m: f"prueba en casa por {_plural(m[1], 'día', 'días')}"),
    (r"(?:x\s*)?(\d+) hours?", lambda m: _plural(m[1], "hora", "horas")),
    (r"(?:for )?(\d+)[ -]days?", lambda m: _plural(m[1], "día", "días")),
    (r"(?:for )?(\d+)[ -]weeks?", lambda m: _plural(m[1], "semana", "semanas")),
    (r"(?:for )?(\d+)[ -]months?", lambda m: _plural(m[1], "mes", "meses")),
    (r"#\s?(\d+)", lambda m: f"cantidad: {m[1]}"),
    (r"\d+(?:\.\d+)?\s?(?:gm|g|ml|oz)", lambda m: m[0]),
    (r"post-?operative|post-?surgical", lambda m: "después de la cirugía"),
    (r"pre-?operative", lambda m: "antes de la cirugía"),
    (r"repeat", lambda m: "otra vez"),
    (r"\(?purchase\)?", lambda m: "para comprar"),
    (r"rental", lambda m: "en alquiler"),
    (r"home trial", lambda m: "prueba en casa"),
    (r"evaluation", lambda m: "evaluación"),
    (r"without contrast", lambda m: "sin contraste"),
    (r"with contrast", lambda m: "con contraste"),
    (r"with flexion and extension views", lambda m: "con imágenes al doblarse hacia adelante y hacia atrás"),
    (r"anterior and posterior", lambda m: "por delante y por detrás"),
    (r"series of (two|three|four|six|\d+)", lambda m: f"serie de {_COUNT_ES.get(m[1].lower(), m[1])}"),
    (r"in (\w+) base", lambda m: f"en base {m[1]}"),
]
_STOP = {"the", "a", "an", "of", "for", "to", "at", "and", "with", "in", "on", "x", "or", "per", "unit", "units"}


@dataclass
class _Part:
    start: int
    end: int
    kind: str  # term | site | detail
    es: str
    term: Term | None = None


def clean_item(item: str) -> str:
    """Drop list numbering, 'Is the request for', brackets around counts and extra spaces."""
    text = " ".join(item.split())
    text = re.sub(r"^(?:\d+[.)]\s*)", "", text)
    text = re.sub(r"^(?:is the request for|request for)\s+", "", text, flags=I)
    text = re.sub(r"\((\d+)\)", r"\1", text)
    return text.rstrip(" ?:;.")


def _named(term: Term, lang: Lang, name: str | None = None, explain: bool = True) -> str:
    name = name or term.name(lang)
    if not explain:
        return name
    acronym = re.search(r"\s*\(([^)]+)\)$", name)
    if acronym:
        return f"{name[: acronym.start()]} ({acronym[1]}: {term.note(lang)})"
    return f"{name} ({term.note(lang)})"


def _term_matches(text: str) -> list[tuple[int, int, Term]]:
    found: list[tuple[int, int, Term]] = []
    for term in TERMS:
        if term.kind == "review":
            continue
        for m in term.regex.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e, _ in found):
                found.append((m.start(), m.end(), term))
    return sorted(found, key=lambda f: f[0])


def _english(text: str, explain: bool) -> str:
    matches = _term_matches(text)
    if matches:
        start, end, term = matches[0]
        words = text[start:end]
        words = re.sub(r"\s*\([A-Z/&]+\)$", "", words)
        if re.search(r"\b[A-Z]{2,}", words):
            words = term.en  # an abbreviation (PT, EMG/NCV, APAP): say the plain name
        text = text[:start] + _named(term, "en", words, explain) + text[end:]
    for pattern, repl in _EN_WORDS:
        text = re.sub(pattern, repl, text, flags=I)
    return text


def _spanish(item: str, text: str, explain: bool) -> str:
    parts: list[_Part] = []

    def free(start: int, end: int) -> bool:
        return not any(p.start < end and start < p.end for p in parts)

    for start, end, term in _term_matches(text):
        tail = re.match(rf"\s*(?:ER\s+)?{STRENGTH}", text[end:])
        strengths = re.findall(STRENGTH, text[start:end])
        if tail and term.kind == "medicine":
            strengths.append(tail[0].strip().removeprefix("ER").strip())
            end += tail.end()
        name = " ".join([term.es, *strengths])
        parts.append(_Part(start, end, "term", name, term))
    site = (rf"(?:(?P<prep>for|to|of|in|at|on) (?:the )?)?(?:(?P<side>left|right|bilateral) )?(?P<body>{_SITE_RE})"
            rf"(?: and (?:the )?(?:(?P<side2>left|right) )?(?P<body2>{_SITE_RE}))?")
    for m in re.finditer(rf"\b{site}\b", text, I):
        if free(m.start(), m.end()):
            parts.append(_Part(m.start(), m.end(), "site", _site_es(m)))
    for m in re.finditer(rf"\b(?:at )?(?:(bilateral) )?({LEVELS})\b", text, I):
        if free(m.start(), m.end()):
            levels = re.sub(r",? and |,? & | to ", " y ", m[2])
            parts.append(_Part(m.start(), m.end(), "site", f"en {levels}" + (", de ambos lados" if m[1] else "")))
    for m in re.finditer(r"\b(cervical|lumbar|thoracic)\b", text, I):
        if free(m.start(), m.end()):
            parts.append(_Part(m.start(), m.end(), "site", _REGION[m[1].lower()]))
    for pattern, spanish in _DETAILS:
        for m in re.finditer(rf"(?<![\w-]){pattern}(?![\w-])", text, I):
            if free(m.start(), m.end()):
                parts.append(_Part(m.start(), m.end(), "detail", spanish(m)))
    parts.sort(key=lambda p: p.start)
    leftover = "".join(" " if any(p.start <= i < p.end for p in parts) else ch for i, ch in enumerate(text))
    unknown = [w for w in re.findall(r"[A-Za-z]{2,}", leftover) if w.lower() not in _STOP]
    terms = [p for p in parts if p.kind == "term"]
    if not terms:
        return f'Tratamiento pedido: "{item}"'
    main, rest = terms[0], terms[1:]
    out = _named(main.term, "es", main.es, explain)
    out += "".join(" " + p.es for p in parts if p.kind == "site")
    for n, p in enumerate(rest):
        before = text[: p.start].rstrip()
        joiner = " con " if before.lower().endswith("with") else (": " if n == 0 and before.endswith(":") else ", ")
        out += joiner + p.es
    details = [p.es for p in parts if p.kind == "detail"]
    if details:
        out += ", " + ", ".join(details)
    if unknown:
        out += f' (en la carta: "{item}")'
    return out


def plain_item(item: str, lang: Lang = "en", explain: bool = True) -> str:
    """The disputed item in everyday words, numbers as the letter writes them; `explain` adds what its main
    term means, in brackets."""
    text = clean_item(item)
    out = _spanish(text, text, explain) if lang == "es" else _english(text, explain)
    return out[:1].upper() + out[1:]
