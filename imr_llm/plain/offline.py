"""The offline engine for plain-language summaries, and the shape of one (`PlainSummary`).

`plain_offline(summary, letter_text, lang)` writes from templates: the item through the glossary
(`plain.items`), the why from the patterns of the reviewer's rationale (`plain.reasons`), each with the letter
sentence it rests on; else the reviewer's own sentence made shorter (`plain.simplify`); else a general line.
Numbers are copied as the letter writes them. `compose_text` lays out the text both engines return.
`imr_llm.plain.summary.plain_summary` chooses between this engine and the LLM one (`plain.llm`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from .glossary import glossary_entries
from ..errors import ConfigError
from ..models import Alignment, DecisionSummary, ItemDecision, Span, engine_text
from .checks import fk_grade, word_count
from .items import plain_item
from .reasons import general_reason, reason_sentence, reasons_for
from .simplify import simplify

__all__ = ["Lang", "PlainItem", "PlainSource", "PlainSummary", "compose_text", "next_steps", "outcome_word", "phrases",
           "plain_offline"]

Lang = Literal["en", "es"]
# The same content takes about a tenth more words in Spanish.
MAX_WORDS = {"en": 250, "es": 275}
MAX_GRADE = 8.0  # Flesch-Kincaid, English

_WORDS = {
    "en": {
        "title": "Your IMR decision in plain words",
        "case": "Case",
        "intro": ["An outside doctor reviewed the care your doctor asked for. This is called Independent Medical "
                  "Review (IMR).",
                  "The company that handles your claim had not approved it at first."],
        "decided": "Here is what the reviewer decided:",
        "decision": "Decision",
        "why": "Why",
        "yes": "APPROVED", "no": "NOT APPROVED",
        "meaning": "Approved means the treatment is authorized. Not approved means the earlier denial stands.",
        "next": "What you can do next:",
    },
    "es": {
        "title": "Su decisión de IMR en palabras sencillas",
        "case": "Caso",
        "intro": ["Un médico de fuera revisó la atención que pidió su médico. Esto se llama Revisión Médica "
                  "Independiente (IMR).",
                  "La compañía que maneja su reclamo no la aprobó al principio."],
        "decided": "Esto decidió el revisor:",
        "decision": "Decisión",
        "why": "Por qué",
        "yes": "APROBADO", "no": "NO APROBADO",
        "meaning": "Aprobado quiere decir que el tratamiento está autorizado. No aprobado quiere decir que la "
                   "negación anterior sigue en pie.",
        "next": "Qué puede hacer ahora:",
        "own_words": "El revisor lo explicó así (en inglés):",
    },
}

# Facts of law (Labor Code section 4610.6(h)) and of the DWC, the same for every letter.
_NEXT_STEPS = {
    "en": [
        "If you disagree, you can appeal to the Workers' Compensation Appeals Board (WCAB). You must do so "
        "within 30 days of the date the decision was mailed. You can appeal only for a few reasons, such as "
        "fraud, bias or a clear mistake of fact.",
        "Your doctor can send a new request with more information.",
        "For free help, contact the DWC Information & Assistance (I&A) unit.",
    ],
    "es": [
        "Si no está de acuerdo, puede apelar ante la Junta de Apelaciones de Compensación de Trabajadores "
        "(WCAB). Debe hacerlo dentro de los 30 días siguientes a la fecha en que se envió la decisión por "
        "correo. Solo puede apelar por pocas razones, como fraude, parcialidad o un error claro sobre los hechos.",
        "Su médico puede enviar una nueva solicitud con más información.",
        "Para recibir ayuda gratis, comuníquese con la unidad de Información y Asistencia (I&A) de la DWC.",
    ],
}


class PlainSource(BaseModel):
    """A sentence of the letter that a plain sentence rests on."""

    quote: str
    span: Span | None = None
    alignment: Alignment = "exact"


class PlainItem(BaseModel):
    index: int = Field(ge=1, description="1-based position of the item in the letter")
    source_item: str = Field(description="the disputed item as the letter writes it")
    item: str = Field(description="the item in everyday words")
    approved: bool = Field(description="True when the IMR overturned the denial (the treatment is authorized)")
    outcome: str = Field(description="'approved' / 'not approved' (or 'aprobado' / 'no aprobado')")
    why: list[str] = Field(default_factory=list, description="one or two short sentences")
    why_kind: list[str] = Field(default_factory=list, description="the template of each why sentence; 'own_words' for "
                                "the reviewer's own sentence made shorter; 'general' for a line true of any item")
    item_span: Span | None = None
    decision_span: Span | None = None
    sources: list[PlainSource] = Field(default_factory=list,
                                       description="for each why sentence, the reviewer's sentence it rests on")


class PlainSummary(BaseModel):
    lang: Lang = "en"
    letter_id: str
    case_id: str
    title: str
    text: str = Field(description="the whole summary as plain text, about 120-250 words")
    items: list[PlainItem] = Field(default_factory=list)
    next_steps: list[str] = Field(default_factory=list)
    glossary: list[dict[str, str]] = Field(default_factory=list, description="terms of this letter, explained")
    engine: str = Field("offline", description="'offline', or the model that wrote the summary")
    fallback_from: str | None = Field(None, description="the model that could not be used, when the offline "
                                                         "engine's summary is given in its place")
    notes: list[str] = Field(default_factory=list)

    @property
    def engine_text(self) -> str:
        """The engine as shown to a person: 'offline (fallback from openai/gpt-4o-mini)' when the model failed."""
        return engine_text(self.engine, self.fallback_from)


def phrases(lang: Lang = "en") -> dict:
    """The fixed words of a summary in `lang`: title, intro, labels, what 'approved' means, next-steps title."""
    return dict(_WORDS[lang])


def next_steps(lang: Lang = "en") -> list[str]:
    return list(_NEXT_STEPS[lang])


def outcome_word(approved: bool, lang: Lang = "en") -> str:
    return _WORDS[lang]["yes" if approved else "no"].lower()


def compose_text(title: str, items: list[PlainItem], lang: Lang = "en", case_number: str | None = None) -> str:
    """The summary text: a short introduction, one block per item, what the words mean, next steps."""
    w = _WORDS[lang]
    lines = [title + (f" ({w['case']} {case_number})" if case_number else ""), "", *w["intro"], "", w["decided"]]
    for item in items:
        lines += ["", f"- {item.item}.", f"  {w['decision']}: {w['yes'] if item.approved else w['no']}.",
                  f"  {w['why']}: {' '.join(item.why)}"]
    lines += ["", w["meaning"], "", w["next"], *(f"- {step}" for step in _NEXT_STEPS[lang])]
    return "\n".join(lines)


def _offline_item(item: ItemDecision, lang: Lang, limit: int, explain: bool, own_words: bool = True) -> PlainItem:
    chosen = reasons_for(item, limit=limit)
    if chosen:
        why = [reason.say(sentence.text, lang) for reason, sentence in chosen]
        kinds = [reason.key for reason, _ in chosen]
        sources = [PlainSource(quote=s.text, span=s.span) for _, s in chosen]
    elif own_words and (own := reason_sentence(item)) and (short := simplify(own.text)):
        # No template fits: the reviewer's own sentence in shorter words (quoted as written in Spanish).
        why = [short if lang == "en" else f'{_WORDS["es"]["own_words"]} "{short}"']
        kinds, sources = ["own_words"], [PlainSource(quote=own.text, span=own.span)]
    else:
        why, kinds = [general_reason(item.decision.value, lang)], ["general"]
        reason = item.reason if item.reason and item.reason.value else item.rationale
        sources = [PlainSource(quote=" ".join(str(reason.value).split()), span=reason.span,
                               alignment=reason.alignment)] if reason else []
    return PlainItem(index=item.index, source_item=item.item.value, item=plain_item(item.item.value, lang, explain),
                     approved=item.authorized, outcome=outcome_word(item.authorized, lang), why=why, why_kind=kinds,
                     item_span=item.item.span, decision_span=item.decision.span, sources=sources)


def plain_offline(summary: DecisionSummary, letter_text: str, lang: Lang = "en") -> PlainSummary:
    """The plain summary from templates, the glossary and the reviewer's own sentences."""
    if lang not in _WORDS:
        raise ConfigError(f"lang must be one of {', '.join(_WORDS)} (English, Spanish), not {lang!r}", setting="lang")
    case_number = summary.case_number.value if summary.case_number else None
    title = _WORDS[lang]["title"]
    # The reviewer's own words only while the English stays plain (decided in English, so both languages say
    # the same); long letters: one reason per item, then no bracketed meanings (the glossary still gives them).
    english = [_offline_item(item, "en", 2, True) for item in summary.items]
    own_words = fk_grade(compose_text(_WORDS["en"]["title"], english, "en", case_number)) <= MAX_GRADE
    for limit, explain in ((2, True), (1, True), (1, False)):
        items = [_offline_item(item, lang, limit, explain, own_words) for item in summary.items]
        text = compose_text(title, items, lang, case_number)
        if word_count(text) <= MAX_WORDS[lang] and (lang != "en" or fk_grade(text) <= MAX_GRADE):
            break
    notes = [] if items else ["no disputed items were found in this letter"]
    return PlainSummary(lang=lang, letter_id=summary.letter_id, case_id=summary.case_id, title=title,
                        text=compose_text(title, items, lang, case_number), items=items, next_steps=next_steps(lang),
                        glossary=glossary_entries(lang, letter_text), engine="offline", notes=notes)
