"""Why an item was or was not approved, in one or two short sentences, from the reviewer's rationale.

Each `Reason` is a template keyed on a family of cues reviewers use across letters ("exceeds the number of
visits", "no documented functional improvement", "first-line treatments not tried", "a short trial is
reasonable"...). A template is used only for the outcome it explains, only for the kinds of treatment it is
written for (`kinds`, see `glossary.treatment_kinds`; None = any), and only when a sentence of this item's own
rationale (its rationale span: never another item's, never the case summary) matches it; that sentence (with
its span) is kept as the source of the plain words. With no match, `plain.py` says the reviewer's own sentence
in shorter words (`plain_simplify`), and only when there is none, a general sentence true of every such
decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from .glossary import treatment_kinds
from ..models import ItemDecision, Span
from ..vocabulary import ANY_REASON, sentences
from .items import _SITES

__all__ = ["REASONS", "Reason", "Sentence", "general_reason", "own_sentences", "rationale_sentences", "reason_sentence",
           "reasons_for"]

Outcome = Literal["upheld", "overturned"]
_BOILERPLATE = re.compile(r"Effect of the Decision|In accordance with California Labor Code|A determination of the "
                          r"administrative director|Final Determination Letter for IMR|/[a-z]{2,3}\s+MAXIMUS", re.I)
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
    kinds: frozenset[str] | None = None  # the treatment kinds it can explain; None = any
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
       weak: bool = False, kinds: str | None = None) -> Reason:
    return Reason(key, outcome, pattern, en, es, requires, weak, frozenset(kinds.split()) if kinds else None)


# Kinds of treatment (glossary.treatment_kinds) that a family of reasons fits.
_ONGOING = "therapy medicine opioid injection device home_health"  # a treatment whose benefit can be judged
_NOT_THERAPY = "surgery injection test device medicine opioid stomach evaluation"


# In order of preference for each outcome. Each family has an example in tests/test_plain.py.
REASONS: tuple[Reason, ...] = (
    # not approved (upheld)
    _r("depends_on_surgery", "upheld",
       r"(?:because|as|since) the (?:\w+ ){0,3}(?:surgery|fusion|arthroscopy|procedure|operation)(?: itself)? (?:is|was|has) "
       r"not (?:been )?(?:found )?"
       r"(?:medically necessary|certified|approved|supported)|(?:surgery|procedure) (?:is|was|has) not (?:been )?"
       r"(?:certified|approved|authorized)[^.]*(?:associated|related)? ?(?:services?|request)? (?:is|are) not",
       "It was only needed for a surgery that was not approved.",
       "Solo se necesitaba para una cirugía que no fue aprobada.", kinds="surgery device therapy test evaluation"),
    _r("housework", "upheld", r"homemaker services|housekeeping|housework|not homebound|custodial|personal care",
       "Help with housework is not medical treatment.",
       "La ayuda con las tareas de la casa no es tratamiento médico.", kinds="home_health"),
    _r("not_on_opioids", "upheld", r"not (?:currently )?(?:prescribed|taking|on) (?:any |an )?opioids?",
       "You are not taking opioid pain medicine, so this test is not needed.",
       "Usted no toma medicamentos opioides, así que esta prueba no hace falta.", kinds="drug_test"),
    _r("drug_test_mismatch", "upheld", r"negative for the prescribed|inconsistent (?:urine )?drug (?:screen|test)",
       "A drug test did not match your prescription, and this was not addressed.",
       "Una prueba de drogas no coincidió con su receta, y esto no se atendió.", kinds="opioid drug_test"),
    _r("dose_increase", "upheld",
       r"increas\w* (?:the )?(?:total )?(?:daily )?(?:opioid )?dose|double the (?:patient's )?(?:current )?dose",
       "It would raise your dose without a clear reason in the records.",
       "Subiría su dosis sin una razón clara en sus registros.", kinds="opioid"),
    _r("high_dose", "upheld",
       r"(?:morphine equivalent\w*|\bMED\b|\bMME\b)[^.]{0,60}\b(?:above|exceed\w*|greater than|more than|over)\b|"
       r"(?:above|exceed\w*|greater than|more than) (?:the )?(?:\d+ ?mg )?(?:recommended )?(?:morphine equivalent|MED|MME)",
       "Your total dose of opioid pain medicine is higher than the guidelines advise.",
       "Su dosis total de opioides es más alta de lo que aconsejan las guías.", kinds="opioid"),
    _r("exceeds", "upheld",
       r"\bexceed(?:s|ed|ing)?\b[^.]{0,80}\b(?:guidelines?|recommend\w*|allow\w*|visits|sessions|treatments|MTUS|ODG|"
       r"maximum|limit|number|duration|hours|weeks|course|period|trial|initial)|(?:guidelines?|recommend\w*|number of|maximum|allowed)"
       r"[^.]{0,60}\bexceed|would bring the total|in excess of (?:the )?(?:guideline|recommend)|more than the "
       r"(?:guidelines?|recommended|allowed)|beyond (?:the )?(?:guideline|recommended)",
       "It is more than the guidelines allow.",
       "Es más de lo que permiten las guías.", kinds=_ONGOING),
    _r("no_improvement", "upheld",
       r"(?:no|not|without|any|lack of|absence of) (?:\w+ ){0,3}(?:objective |measurable |significant )?functional "
       r"(?:improvement|benefit|gains?)|no documentation of (?:any )?(?:how much|pain relief|reduction in pain)"
       r"|no (?:documented|objective|measurable) (?:benefit|improvement|gains?|relief)|essentially unchanged|same pain "
       r"rating|helped only|(?:did|does|has) not (?:\w+ )?(?:improve|help|result in (?:any )?improvement)"
       r"|without (?:\w+ ){0,2}(?:improvement|benefit)|no (?:evidence|indication) of (?:\w+ ){0,2}(?:improvement|benefit)"
       r"|no (?:documentation|evidence) (?:that|of) [^.]{0,40}\b(?:improved|improvement|benefit)|same pain (?:level|score)"
       r"|(?:do|does|did) not (?:identify|describe|document) any (?:activity|function|benefit)",
       "The records do not show that this treatment has helped you enough so far.",
       "Sus registros no muestran que este tratamiento le haya ayudado lo suficiente hasta ahora.", kinds=_ONGOING),
    _r("opioid_monitoring", "upheld",
       r"(?:no|not|without|lack of|absence of)\b[^.]{0,60}\b(?:four|4) A'?s|(?:no|without|lack of|absence of) "
       r"(?:\w+ ){0,4}(?:monitoring|opioid (?:agreement|contract)|pain (?:agreement|contract)|risk assessment|"
       r"urine drug (?:screen|test)(?:ing|s)?)|(?:monitoring|urine drug screen\w*|pain contract)[^.]{0,40}\b(?:not|never) "
       r"(?:been )?(?:documented|performed|done)",
       "The records do not show the safety checks needed for long-term use of opioid pain medicine.",
       "Sus registros no muestran los controles de seguridad que se necesitan para usar opioides por mucho "
       "tiempo.", kinds="opioid"),
    _r("short_term_only", "upheld", r"short[- ]?term|short course|longer than \d+ to \d+ weeks|long[- ]term use",
       "It is meant for short-term use only.",
       "Es solo para usarse por poco tiempo.", kinds="medicine opioid device"),
    _r("stomach_risk", "upheld",
       r"(?:intermediate or high|increased) (?:GI |gastrointestinal )?risk|GI risk factor|history of ulcer"
       r"|gastrointestinal (?:complaint|symptoms|risk)|denies (?:any )?(?:GI|history of ulcer)|dyspepsia",
       "Your records do not show a stomach risk that calls for it.",
       "Sus registros no muestran un riesgo para el estómago que lo requiera.", kinds="stomach"),
    _r("nerve_not_shown", "upheld",
       r"radiculopathy (?:is|was) not (?:documented|corroborated|established|confirmed)|not document any neuropathic|"
       r"pain is not neuropathic|no documentation of localized peripheral neuropathic|no (?:objective )?"
       r"(?:evidence|signs|findings) of radiculopathy|no radicular",
       "Your exam and tests do not show the nerve problem this treatment is for.",
       "Su examen y sus pruebas no muestran el problema de nervios para el que se usa este tratamiento.",
       kinds="test injection medicine"),
    _r("no_red_flags", "upheld",
       r"(?:no|without|absence of|lack of) (?:\w+ ){0,2}red flags?|no (?:new or )?(?:progressive )?neurologic(?:al)? (?:deficits?|symptoms|findings)|"
       r"no (?:new|significant) (?:trauma|injury|change)",
       "Your records show no warning signs of a serious problem that would call for it.",
       "Sus registros no muestran señales de alarma de un problema grave que lo requieran.",
       kinds="test surgery evaluation injection"),
    _r("already_clear", "upheld", r"clinically obvious",
       "Your nerve problem is already clear from your exam and past tests.",
       "Su problema de nervios ya está claro por su examen y sus pruebas anteriores.", kinds="test"),
    _r("recent_test", "upheld",
       r"already had an? (?:MRI|EMG|study|test)|prior (?:MRI|EMG|study) already|already (?:had )?EMG|repeat study|"
       r"two months (?:after|earlier|before)|less than two months|(?:previous|prior) (?:MRI|study|imaging)",
       "A recent test already gave this information.",
       "Una prueba reciente ya dio esta información.", kinds="test drug_test"),
    _r("confounded", "upheld", r"(?:can|may) confound|confounded by",
       "The results of an earlier test may not be reliable.",
       "Los resultados de una prueba anterior pueden no ser confiables.", kinds="test injection"),
    _r("no_trial", "upheld",
       r"without a trial|not (?:had|tried) a (?:TENS|one-month)|no (?:H-wave |TENS )?trial has been|"
       r"no documented trial|no documentation of a successful (?:one-month )?(?:home-based )?trial",
       "The guidelines ask for a trial first, and the records do not show one.",
       "Las guías piden primero un período de prueba, y sus registros no muestran uno.", kinds="device medicine"),
    _r("first_line_not_tried", "upheld",
       r"first[- ]line|has not had physical therapy|not (?:yet )?(?:tried|failed|exhausted) (?:\w+ ){0,2}"
       r"(?:physical therapy|conservative|other|lower|simpler)|(?:no|without) (?:documented |evidence of )?(?:a )?"
       r"(?:trial|failure) of (?:\w+ ){0,2}(?:conservative|first|other|antidepressants|anticonvulsants|NSAIDs|"
       r"physical therapy)|conservative (?:care|treatment|measures) (?:has|have) not|live with symptoms|"
       r"(?:after|before|until) (?:failure of |failing )?(?:conservative|first)",
       "The records do not show that simpler first-choice treatments were tried first.",
       "Sus registros no muestran que primero se probaran tratamientos más sencillos.", kinds=_NOT_THERAPY),
    _r("evaluation_missing", "upheld",
       r"no (?:adequate and thorough )?(?:multidisciplinary )?evaluation|no baseline functional testing|"
       r"no (?:documentation of |documented )?(?:an? )?(?:psychological|psychiatric|multidisciplinary|baseline) "
       r"(?:evaluation|screen\w*|assessment|testing)",
       "An evaluation the guidelines require was not done first.",
       "No se hizo primero una evaluación que piden las guías.", kinds="therapy surgery device injection evaluation"),
    _r("smoker", "upheld", r"active smoker|(?:currently|still) smok", "The guidelines ask smokers to stop before "
       "this surgery.", "Las guías piden dejar de fumar antes de esta cirugía.", kinds="surgery"),
    _r("home_exercise", "upheld", r"home exercise program|home program|independent (?:home )?exercise",
       "The records do not show why exercise at home is not enough.",
       "Sus registros no muestran por qué no bastan los ejercicios en casa.", kinds="therapy"),
    _r("depends_on_other", "upheld",
       r"(?:since|because|as) (?:the )?(?:continued )?(?:\w+ ){0,3}(?:is|was|has) not (?:been )?(?:found )?(?:medically "
       r"necessary|supported|certified)|(?:continued|ongoing) (?:\w+ ){0,2}(?:is|was) not (?:supported|certified) in this "
       r"review|for the reasons given in (?:Item|Issue)",
       "It goes with another treatment that was not approved.",
       "Va junto con otro tratamiento que no fue aprobado.", weak=True),
    _r("not_recommended", "upheld",
       r"(?:is|are) not (?:\w+ )?recommended|(?:does|do) not recommend|not (?:supported|indicated) (?:by|for|in)|"
       r"recommend(?:s|ed)? against",
       "The guidelines do not recommend it for your case.",
       "Las guías no lo recomiendan en su caso."),
    _r("criteria_not_met", "upheld",
       r"criteria\b[^.]*\b(?:are|were|is|have) not (?:been )?(?:met|satisfied|fulfilled)|(?:does|do|did) not "
       r"(?:meet|satisfy|fulfill)|has not been established|(?:not|never) (?:been )?met\b",
       "Your case does not meet the guideline rules for this treatment.",
       "Su caso no cumple las reglas de las guías para este tratamiento.", weak=True),
    _r("missing_records", "upheld",
       r"no documentation|not (?:been )?documented|(?:records|reports|treater|provider|notes) (?:do|does|did) not "
       r"(?:document|show|describe|explain|include|indicate)|there is no (?:documented|evidence|explanation|"
       r"rationale|indication)|records contain no|no documented\b|(?:lack|absence) of (?:\w+ )?documentation|"
       r"(?:was|were|has|have) not (?:been )?(?:provided|submitted|included)|fails? to (?:document|describe)",
       "The records do not show what the guidelines require.",
       "Sus registros no muestran lo que piden las guías.", weak=True),
    # approved (overturned)
    _r("not_treated_before", "overturned",
       r"not (?:appear to )?(?:have )?(?:been )?(?:addressed|targeted|treated)|did not target|has never had|"
       r"no prior (?:psychotherapy|\w+ therapy|treatment)|no dynamic films|(?:has|have) not (?:yet )?(?:had|received)",
       "You had not had this before.",
       "Esto no se le había hecho antes.", kinds="therapy injection test device evaluation"),
    _r("not_tolerated", "overturned", r"did not tolerate|has not tolerated|not tolerated|intolerance|intolerant",
       "You could not take some other medicines.",
       "Usted no pudo tomar algunos otros medicamentos.", kinds="medicine opioid device therapy injection"),
    _r("short_course", "overturned", r"short course|limited course|brief course",
       "A short course of treatment is reasonable.",
       "Un tratamiento corto es razonable.", kinds="therapy medicine opioid device"),
    _r("taper", "overturned", r"\btaper",
       "A limited supply is reasonable so that your dose can be lowered slowly.",
       "Es razonable una cantidad limitada para bajar su dosis poco a poco.", kinds="opioid medicine"),
    _r("trial_reasonable", "overturned",
       r"trial\b[^.]*\b(?:is|are|would be|appears?) (?:an? )?(?:appropriate|reasonable|consistent|supported|indicated|"
       r"warranted)|(?:appropriate|reasonable) (?:initial |short )?trial|trial (?:is|was) (?:supported|recommended)",
       "A short trial is reasonable.",
       "Es razonable un período de prueba corto."),
    _r("criteria_met", "overturned",
       r"criteria[^.]*\b(?:are|were|is|have been) (?:met|satisfied|fulfilled)\b|\bmeets? the [^.]*criteria|"
       r"(?:satisfies|fulfills) the (?:\w+ )?criteria",
       "Your records meet the guideline rules for this treatment.",
       "Sus registros cumplen las reglas de las guías para este tratamiento."),
    _r("helps", "overturned",
       r"decrease in pain|reduc\w+ (?:of )?(?:the |her |his )?(?:burning )?pain|better pain control|improved "
       r"(?:ability|sleep|function)|improvement in (?:function|pain|activities)|specific functional gains|favorable "
       r"response|(?<!no )(?<!without )(?<!lack of )(?:documented|objective|measurable) (?:functional )?"
       r"(?:improvement|benefit|gains?)|(?<!no )(?<!without )pain relief",
       "The records show it helps your pain or daily activities.",
       "Sus registros muestran que le ayuda con el dolor o con sus actividades diarias.", kinds=_ONGOING),
    _r("drug_test_due", "overturned", r"monitor|no screen since|no urine drug screen results|more than a year ago",
       "Drug tests are a normal safety check while you take opioid pain medicine.",
       "Las pruebas de drogas son un control normal de seguridad mientras toma un opioide.",
       requires=r"opioid|tramadol|norco|hydrocodone|oxycodone", kinds="drug_test"),
    _r("nerve_shown", "overturned", r"corroborated by|findings of radiculopathy|radicular (?:findings|symptoms|pain)|"
       r"(?:signs|evidence) of radiculopathy|dermatomal",
       "Your exam shows signs of a pinched nerve.",
       "Su examen muestra señales de un nervio comprimido.", kinds="test injection medicine"),
    _r("confirm", "overturned", r"has not been confirmed|to confirm|(?:rule out|clarify) (?:the )?(?:diagnosis|cause)",
       "The test can help confirm what is causing your symptoms.",
       "La prueba puede ayudar a confirmar la causa de sus síntomas.", kinds="test"),
    _r("other_care_failed", "overturned",
       r"failed (?:physical therapy|multiple|conservative|to adequately respond|\w+ (?:treatment|therapy|care))|"
       r"tried and failed|completed [^.]{0,40}\bconservative (?:care|treatment)|failure of (?:physical|conservative|\w+ therapy|first-line)|not responded adequately|"
       r"despite (?:\w+ )?(?:therapy|treatment|care|medications)|first-line (?:\w+ )?(?:treatments? )?(?:have|has) "
       r"(?:been )?(?:tried|failed)|persistent (?:\w+ )?(?:pain|symptoms) despite",
       "Other treatments did not work well enough for you.",
       "Otros tratamientos no le funcionaron lo suficiente."),
    _r("next_step", "overturned", r"appropriate next step|reasonable next step", "An evaluation is the right next step.",
       "Una evaluación es el siguiente paso adecuado.", kinds="evaluation test"),
    _r("surgery_planning", "overturned", r"referred to a (?:spine )?surgeon|surgical planning|surgical candidate",
       "It can help plan care with a surgeon.",
       "Puede ayudar a planear su atención con un cirujano.", kinds="test evaluation"),
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
    out = []
    for start, end in sentences(raw, rule="rationale"):
        text = " ".join(re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", raw[start:end]).split())
        if len(text.split()) >= 3:
            out.append(Sentence(text, Span(start=grounded.span.start + start, end=grounded.span.start + end)))
    return out


def _inside(span: Span, outer: Span) -> bool:
    return outer.start <= span.start and span.end <= outer.end


# A sentence that reports what the UR reviewer or the claims administrator said: the other side's reasons.
_OTHER_SIDE = re.compile(r"^(?:(?:The|A|In (?:the|its)) )?(?:prior |previous )?(?:UR|utilization review(?:er)?|"
                         r"claims administrator|carrier|insurer)\b[^.]{0,80}\b(?:stated|noted|denied|non-?certified|"
                         r"modified|found|reasoned|determined|cited|opined|said)\b|^Utilization review dated", re.I)


def _prose(text: str) -> bool:
    """A sentence a reviewer wrote, not a table row, a heading, a list line or a label."""
    words = re.findall(r"[A-Za-z]+", text)
    return (len(words) >= 6 and not re.search(r"[|+_=]{2,}|-{4,}|^\W*\d+[.)]\s", text)
            and sum(w.islower() for w in words) >= len(words) / 2
            and not re.match(r"(?:Guideline Basis|Medically necessary|Outcome|cc|Decision|Determination)\s*:", text, re.I))


def own_sentences(item: ItemDecision) -> list[Sentence]:
    """The sentences of this item's own rationale span; the parser's reason sentence (cleaned of page headers)
    stands for its sentence when it lies inside that span, and is never taken from elsewhere."""
    sentences = [s for s in rationale_sentences(item) if not _OTHER_SIDE.search(s.text)]
    reason = item.reason.span if item.reason and item.reason.value else None
    if reason is not None and _OTHER_SIDE.search(item.reason.value):
        reason = None
    if reason is not None and item.rationale and item.rationale.span and _inside(reason, item.rationale.span):
        sentences = [Sentence(" ".join(item.reason.value.split()), reason)
                     if s.span.start < reason.end and reason.start < s.span.end else s for s in sentences]
        sentences = list(dict.fromkeys(sentences))
    return sentences


def reason_sentence(item: ItemDecision) -> Sentence | None:
    """The reviewer's own case-specific sentence of why: the parser's reason when it lies in the item's own
    rationale, else the first sentence of that rationale about this case that gives a why."""
    sentences = [s for s in own_sentences(item) if _prose(s.text)]
    reason = item.reason.span if item.reason and item.reason.value else None
    for sentence in sentences:
        if reason is not None and sentence.span == reason:
            return sentence
    return next((s for s in sentences if not _general(s.text) and ANY_REASON.search(s.text)), None)


def reasons_for(item: ItemDecision, limit: int = 2) -> list[tuple[Reason, Sentence]]:
    """Up to `limit` templates that explain this item's outcome, each with the sentence it rests on.

    Only templates written for this item's kind of treatment, and only sentences of its own rationale span.
    The sentence the parser picked as the reason is read first, then what the rationale says of this case;
    what it says the guidelines say in general is read only when nothing else explains the outcome.
    """
    sentences = own_sentences(item)
    whole = " ".join(s.text for s in sentences)
    reason = item.reason.span if item.reason and item.reason.value else None
    kinds = treatment_kinds(item.item.value)

    def rank(s: Sentence) -> int:
        return 2 if _general(s.text) else 0 if s.span == reason else 1

    outcome = item.decision.value
    chosen: list[tuple[Reason, Sentence]] = []
    for sentence in sorted(sentences, key=rank):
        if rank(sentence) == 2 and chosen:
            break  # a general statement of the guideline explains only when nothing about the case does
        for reason_ in REASONS:
            if len(chosen) >= limit:
                break
            if reason_.outcome != outcome or any(r.key == reason_.key for r, _ in chosen) or (reason_.weak and chosen):
                continue
            if reason_.kinds is not None and not reason_.kinds & kinds:
                continue
            if reason_.requires and not re.search(reason_.requires, whole, re.I):
                continue
            if reason_.regex.search(sentence.text):
                chosen.append((reason_, sentence))
    order = {r.key: n for n, r in enumerate(REASONS)}
    return sorted(chosen, key=lambda c: order[c[0].key])
