"""Why an item was or was not approved, in one or two short sentences, from the reviewer's rationale.

Each `Reason` is a template keyed on a pattern reviewers use ("exceeds the number of visits", "no documented
functional improvement", "a short trial is reasonable"...). A template is used only for the outcome it explains
and only when a sentence of this item's rationale matches it; that sentence (with its span) is kept as the
source of the plain words. With no match, the why is a plain general sentence true of every such decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from .models import ItemDecision, Span
from .plain_items import _SITES

__all__ = ["REASONS", "Reason", "Sentence", "general_reason", "rationale_sentences", "reasons_for"]

Outcome = Literal["upheld", "overturned"]
_BOILERPLATE = re.compile(r"Effect of the Decision|In accordance with California Labor Code|A determination of the "
                          r"administrative director|Final Determination Letter for IMR|/[a-z]{2,3}\s+MAXIMUS", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”']?\s+(?=[\"“(]?[A-Z])")
# A sentence that says what a guideline says in general, rather than what this case shows.
_GUIDELINE_SUBJECT = re.compile(r"^(?:\d+[.)][^:]*:\s*)?(?:According to|Per the|Under the|Criteria for|"
                                r"(?:The )?(?:California )?(?:MTUS|ODG|ACOEM|guidelines?)\b)", re.I)
_MODAL = re.compile(r"\b(?:may|can|should) be\b|\bshould\b|\b(?:is|are) (?:not )?(?:recommended|suggested)\b|"
                    r"\b(?:do|does) not recommend\b|\brecommends?\b", re.I)
_CASE = re.compile(r"\bin this case\b|\bthis (?:patient|injured worker)\b|\bthe injured worker\b|"
                   r"\b(?:she|he|her|his)\b|\bthe records?\b|\breports?\b|\bthe file\b|"
                   r"\bthere (?:is|are|has been) no\b|\bthe request\b", re.I)


def _general(text: str) -> bool:
    return bool(_GUIDELINE_SUBJECT.search(text)) or (bool(_MODAL.search(text)) and not _CASE.search(text))


_BODY = re.compile(r"\b(?:patient's|his|her|their|the) (?:(left|right) )?(leg|neck|knee|shoulder|back|arm|hip|wrist|"
                   r"hand|ankle|foot|elbow) (?:symptoms|pain)", re.I)


@dataclass(frozen=True)
class Sentence:
    text: str  # whitespace-normalised
    span: Span  # into the letter


@dataclass(frozen=True)
class Reason:
    key: str
    outcome: Outcome
    pattern: str
    en: str
    es: str
    requires: str | None = None  # must also occur somewhere in the rationale
    weak: bool = False  # used only when nothing more telling was found
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern, re.I))

    def say(self, sentence: str, lang: str) -> str:
        if self.key == "not_treated_before" and (m := _BODY.search(sentence)):
            noun = _SITES[m[2].lower()][0].split(" ", 1)[1]
            return (f"Los síntomas de su {noun} no se habían tratado antes." if lang == "es"
                    else f"Your {m[2].lower()} symptoms had not been treated before.")
        return self.es if lang == "es" else self.en


def _r(key: str, outcome: Outcome, pattern: str, en: str, es: str, requires: str | None = None,
       weak: bool = False) -> Reason:
    return Reason(key, outcome, pattern, en, es, requires, weak)


# In order of preference for each outcome.
REASONS: tuple[Reason, ...] = (
    # not approved (upheld)
    _r("depends_on_surgery", "upheld",
       r"(?:because|as|since) the (?:\w+ ){0,3}(?:surgery|fusion|arthroscopy|procedure|operation) is not "
       r"(?:medically necessary|certified|approved)",
       "It was only needed for a surgery that was not approved.",
       "Solo se necesitaba para una cirugía que no fue aprobada."),
    _r("housework", "upheld", r"homemaker services|housekeeping|housework|not homebound",
       "Help with housework is not medical treatment.",
       "La ayuda con las tareas de la casa no es tratamiento médico."),
    _r("not_on_opioids", "upheld", r"not (?:prescribed|taking) (?:any |an )?opioids?",
       "You are not taking opioid pain medicine, so this test is not needed.",
       "Usted no toma medicamentos opioides, así que esta prueba no hace falta."),
    _r("drug_test_mismatch", "upheld", r"negative for the prescribed|inconsistent (?:urine )?drug",
       "A drug test did not match your prescription, and this was not addressed.",
       "Una prueba de drogas no coincidió con su receta, y esto no se atendió."),
    _r("dose_increase", "upheld",
       r"increas\w* (?:the )?(?:total )?(?:daily )?(?:opioid )?dose|double the (?:patient's )?(?:current )?dose",
       "It would raise your dose without a clear reason in the records.",
       "Subiría su dosis sin una razón clara en sus registros."),
    _r("exceeds", "upheld", r"\bexceed(?:s|ed|ing)?\b|would bring the total",
       "It is more than the guidelines allow.",
       "Es más de lo que permiten las guías."),
    _r("no_improvement", "upheld",
       r"(?:no|not|without|any) (?:\w+ ){0,3}(?:objective |measurable )?functional (?:improvement|benefit|gains?)"
       r"|no documentation of (?:any )?(?:how much|pain relief|reduction in pain)|no documented benefit"
       r"|essentially unchanged|same pain rating|helped only",
       "The records do not show that this treatment has helped you enough so far.",
       "Sus registros no muestran que este tratamiento le haya ayudado lo suficiente hasta ahora."),
    _r("short_term_only", "upheld", r"short[- ]?term|short course|longer than \d+ to \d+ weeks",
       "It is meant for short-term use only.",
       "Es solo para usarse por poco tiempo."),
    _r("stomach_risk", "upheld",
       r"(?:intermediate or high|increased) (?:GI |gastrointestinal )?risk|GI risk factor|history of ulcer"
       r"|gastrointestinal complaint|denies (?:any )?(?:GI|history of ulcer)",
       "Your records do not show a stomach risk that calls for it.",
       "Sus registros no muestran un riesgo para el estómago que lo requiera."),
    _r("nerve_not_shown", "upheld",
       r"radiculopathy is not (?:documented|corroborated)|not document any neuropathic|pain is not neuropathic"
       r"|no documentation of localized peripheral neuropathic",
       "Your exam and tests do not show the nerve problem this treatment is for.",
       "Su examen y sus pruebas no muestran el problema de nervios para el que se usa este tratamiento."),
    _r("already_clear", "upheld", r"clinically obvious",
       "Your nerve problem is already clear from your exam and past tests.",
       "Su problema de nervios ya está claro por su examen y sus pruebas anteriores."),
    _r("recent_test", "upheld",
       r"already had an? (?:MRI|EMG|study|test)|prior MRI already|already (?:had )?EMG|repeat study|"
       r"two months (?:after|earlier|before)|less than two months",
       "A recent test already gave this information.",
       "Una prueba reciente ya dio esta información."),
    _r("confounded", "upheld", r"(?:can|may) confound|confounded by",
       "The results of an earlier test may not be reliable.",
       "Los resultados de una prueba anterior pueden no ser confiables."),
    _r("no_trial", "upheld",
       r"without a trial|not (?:had|tried) a (?:TENS|one-month)|no (?:H-wave |TENS )?trial has been|"
       r"no documented trial|no documentation of a successful (?:one-month )?(?:home-based )?trial",
       "The guidelines ask for a trial first, and the records do not show one.",
       "Las guías piden primero un período de prueba, y sus registros no muestran uno."),
    _r("simpler_care_first", "upheld", r"has not had physical therapy|not (?:yet )?tried (?:physical therapy|"
       r"conservative)|live with symptoms",
       "Simpler care, such as physical therapy, should be tried first.",
       "Primero se debe probar un cuidado más sencillo, como la terapia física."),
    _r("evaluation_missing", "upheld",
       r"no (?:adequate and thorough )?(?:multidisciplinary )?evaluation|no baseline functional testing|"
       r"no psychological (?:evaluation|screen)",
       "An evaluation the guidelines require was not done first.",
       "No se hizo primero una evaluación que piden las guías."),
    _r("smoker", "upheld", r"active smoker", "The guidelines ask smokers to stop before this surgery.",
       "Las guías piden dejar de fumar antes de esta cirugía."),
    _r("home_exercise", "upheld", r"home exercise program|home program",
       "The records do not show why exercise at home is not enough.",
       "Sus registros no muestran por qué no bastan los ejercicios en casa."),
    _r("not_recommended", "upheld", r"(?:is|are) not recommended|(?:does|do) not recommend",
       "The guidelines do not recommend it for your case.",
       "Las guías no lo recomiendan en su caso."),
    _r("criteria_not_met", "upheld", r"criteria\b[^.]*\b(?:are|were|is|have) not (?:been )?met|(?:does|do) not meet|"
       r"has not been established",
       "Your case does not meet the guideline rules for this treatment.",
       "Su caso no cumple las reglas de las guías para este tratamiento.", weak=True),
    _r("missing_records", "upheld",
       r"no documentation|not documented|(?:records|reports|treater) (?:do|does) not (?:document|show|describe|explain)"
       r"|there is no (?:documented|evidence|explanation|rationale)|records contain no|no documented\b",
       "The records do not show what the guidelines require.",
       "Sus registros no muestran lo que piden las guías.", weak=True),
    # approved (overturned)
    _r("not_treated_before", "overturned",
       r"not (?:appear to )?(?:have )?(?:been )?(?:addressed|targeted|treated)|did not target|has never had|"
       r"no prior psychotherapy|no dynamic films",
       "You had not had this before.",
       "Esto no se le había hecho antes."),
    _r("not_tolerated", "overturned", r"did not tolerate|has not tolerated|not tolerated",
       "You could not take some other medicines.",
       "Usted no pudo tomar algunos otros medicamentos."),
    _r("short_course", "overturned", r"short course",
       "A short course of treatment is reasonable.",
       "Un tratamiento corto es razonable."),
    _r("trial_reasonable", "overturned",
       r"trial\b[^.]*\b(?:is|are|would be|appears?) (?:an? )?(?:appropriate|reasonable|consistent|supported)|"
       r"(?:appropriate|reasonable) (?:initial )?trial",
       "A short trial is reasonable.",
       "Es razonable un período de prueba corto."),
    _r("criteria_met", "overturned", r"criteria[^.]*\b(?:are|were|is) met\b|\bmeets? the [^.]*criteria",
       "Your records meet the guideline rules for this treatment.",
       "Sus registros cumplen las reglas de las guías para este tratamiento."),
    _r("helps", "overturned",
       r"decrease in pain|reduc\w+ (?:of )?(?:the |her |his )?(?:burning )?pain|better pain control|improved "
       r"(?:ability|sleep|function)|improvement in function|specific functional gains|favorable response",
       "The records show it helps your pain or daily activities.",
       "Sus registros muestran que le ayuda con el dolor o con sus actividades diarias."),
    _r("drug_test_due", "overturned", r"monitor|no screen since|no urine drug screen results|more than a year ago",
       "Drug tests are a normal safety check while you take opioid pain medicine.",
       "Las pruebas de drogas son un control normal de seguridad mientras toma un opioide.",
       requires=r"opioid|tramadol|norco|hydrocodone|oxycodone"),
    _r("nerve_shown", "overturned", r"corroborated by|findings of radiculopathy|radicular findings",
       "Your exam shows signs of a pinched nerve.",
       "Su examen muestra señales de un nervio comprimido."),
    _r("confirm", "overturned", r"has not been confirmed|to confirm",
       "The test can help confirm what is causing your symptoms.",
       "La prueba puede ayudar a confirmar la causa de sus síntomas."),
    _r("other_care_failed", "overturned",
       r"failed (?:physical therapy|multiple|conservative|to adequately respond)|tried and failed|"
       r"failure of (?:physical|conservative|\w+ therapy)|"
       r"not responded adequately|despite therapy",
       "Other treatments did not work well enough for you.",
       "Otros tratamientos no le funcionaron lo suficiente."),
    _r("next_step", "overturned", r"appropriate next step", "An evaluation is the right next step.",
       "Una evaluación es el siguiente paso adecuado."),
    _r("surgery_planning", "overturned", r"referred to a (?:spine )?surgeon|surgical planning",
       "It can help plan care with a surgeon.",
       "Puede ayudar a planear su atención con un cirujano."),
    _r("reasonable", "overturned",
       r"\b(?:is|are|appears?|would be) (?:medically )?(?:appropriate|reasonable|supported|indicated|warranted)\b",
       "The reviewer found it reasonable for your condition.",
       "El revisor encontró que es razonable para su condición.", weak=True),
)

_GENERAL = {
    ("overturned", "en"): "The reviewer found it medically necessary: it fits your condition and the guidelines.",
    ("overturned", "es"): "El revisor encontró que es médicamente necesario: es adecuado para su condición "
                          "según las guías.",
    ("upheld", "en"): "The reviewer found it not medically necessary for you under the guidelines.",
    ("upheld", "es"): "El revisor encontró que no es médicamente necesario para usted según las guías.",
}


def general_reason(outcome: Outcome, lang: str) -> str:
    return _GENERAL[(outcome, "es" if lang == "es" else "en")]


def rationale_sentences(item: ItemDecision) -> list[Sentence]:
    """The rationale's sentences, each with its span, up to the letter's closing boilerplate."""
    grounded = item.rationale
    if grounded is None or grounded.span is None or not grounded.quote.strip():
        return []
    raw = grounded.quote
    cut = _BOILERPLATE.search(raw)
    raw = raw[: cut.start()] if cut else raw
    out, start = [], 0
    for end in [m.end() for m in _SENTENCE_END.finditer(raw)] + [len(raw)]:
        piece = raw[start:end]
        lead = len(piece) - len(piece.lstrip())
        text = " ".join(re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", piece).split())
        if len(text.split()) >= 3:
            s = grounded.span.start + start + lead
            out.append(Sentence(text, Span(start=s, end=s + len(piece.strip()))))
        start = end
    return out


def reasons_for(item: ItemDecision, limit: int = 2) -> list[tuple[Reason, Sentence]]:
    """Up to `limit` templates that explain this item's outcome, each with the sentence it rests on.

    The sentence the parser picked as the reason is read first, then what the rationale says of this case;
    what it says the guidelines say in general is read only when nothing else explains the outcome.
    """
    sentences = rationale_sentences(item)
    whole = " ".join(s.text for s in sentences)
    reason = item.reason.span if item.reason and item.reason.value else None
    if reason is not None:  # the parser's reason sentence, cleaned of page headers, stands for its sentence
        sentences = [Sentence(" ".join(item.reason.value.split()), reason)
                     if s.span.start < reason.end and reason.start < s.span.end else s for s in sentences]
        sentences = list(dict.fromkeys(sentences))

    def rank(s: Sentence) -> int:
        return 2 if _general(s.text) else 0 if s.span == reason else 1

    outcome = item.decision.value
    chosen: list[tuple[Reason, Sentence]] = []
    for sentence in sorted(sentences, key=rank):
        if rank(sentence) == 2 and chosen:
            break  # a general statement of the guideline explains only when nothing about the case does
        for reason in REASONS:
            if len(chosen) >= limit:
                break
            if reason.outcome != outcome or any(r.key == reason.key for r, _ in chosen) or (reason.weak and chosen):
                continue
            if reason.requires and not re.search(reason.requires, whole, re.I):
                continue
            if reason.regex.search(sentence.text):
                chosen.append((reason, sentence))
    order = {r.key: n for n, r in enumerate(REASONS)}
    return sorted(chosen, key=lambda c: order[c[0].key])
