"""The glossary: IMR letter jargon in everyday English and Spanish, as data.

Each `Term` has the pattern the letters use, a plain name and a short meaning in both languages.
`glossary_entries(lang)` lists them for the UI; `terms_in(text)` finds those a letter uses;
`plain_item(item, lang)` (in `imr_llm.plain.items`) rewrites a disputed item with them.

The meanings say what a thing is, never whether it helps: they are shown beside letters that decide that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from ..vocabulary import treatment_kinds as vocabulary_kinds

__all__ = ["TERMS", "Term", "explain", "glossary_entries", "terms_in", "treatment_kinds"]

Lang = Literal["en", "es"]
Kind = Literal["review", "treatment", "test", "medicine"]


@dataclass(frozen=True)
class Term:
    key: str  # as the letters write it
    pattern: str  # regular expression, case-insensitive, matched on word boundaries
    en: str  # everyday English name
    en_note: str  # what it is, in a few words
    es: str
    es_note: str
    kind: Kind = "treatment"

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(rf"(?<![\w-])(?:{self.pattern})(?![\w-])", re.IGNORECASE)

    def name(self, lang: Lang) -> str:
        return self.es if lang == "es" else self.en

    def note(self, lang: Lang) -> str:
        return self.es_note if lang == "es" else self.en_note


def _t(key, pattern, en, en_note, es, es_note, kind: Kind = "treatment") -> Term:
    return Term(key, pattern, en, en_note, es, es_note, kind)


OPIOID_EN, OPIOID_ES = "an opioid pain medicine", "un medicamento opioide para el dolor"
NSAID_EN, NSAID_ES = "an anti-inflammatory pain medicine", "un antiinflamatorio para el dolor"

# Longer and more specific patterns first: an item takes the first term that matches at each place.
TERMS: tuple[Term, ...] = (
    # how the review works
    _t("IMR", r"independent medical review|IMR", "Independent Medical Review (IMR)",
       "an outside doctor checks a treatment request that was turned down",
       "Revisión Médica Independiente (IMR)",
       "un médico de fuera revisa una solicitud de tratamiento que fue negada", "review"),
    _t("UR", r"utilization review|UR", "utilization review (UR)",
       "the first check of your doctor's request, done for the company that handles your claim",
       "revisión de utilización (UR)",
       "la primera revisión de lo que pidió su médico, hecha para la compañía que maneja su reclamo", "review"),
    _t("RFA", r"request for authorization|RFA", "request for authorization (RFA)",
       "your doctor's written request to approve a treatment", "solicitud de autorización (RFA)",
       "la solicitud por escrito de su médico para aprobar un tratamiento", "review"),
    _t("claims administrator", r"claims administrator", "the company that handles your claim",
       "your employer's insurer or the company that runs its claims", "la compañía que maneja su reclamo",
       "la aseguradora de su empleador o la compañía que maneja sus reclamos", "review"),
    _t("upheld", r"upheld|uphold", "not approved",
       "the reviewer agreed with the earlier denial: the treatment is not authorized",
       "no aprobado", "el revisor estuvo de acuerdo con la negación anterior: el tratamiento no está autorizado",
       "review"),
    _t("overturned", r"overturned|overturn", "approved",
       "the reviewer reversed the earlier denial: the treatment is authorized",
       "aprobado", "el revisor cambió la negación anterior: el tratamiento está autorizado", "review"),
    _t("medically necessary", r"medically necessary|medical necessity", "needed for your care",
       "the treatment fits your condition and the treatment guidelines",
       "médicamente necesario", "el tratamiento es adecuado para su condición según las guías", "review"),
    _t("MTUS", r"MTUS|medical treatment utilization schedule", "California's treatment guidelines (MTUS)",
       "the state's rules on which treatments fit a work injury",
       "las guías de tratamiento de California (MTUS)",
       "las reglas del estado sobre qué tratamientos son adecuados para una lesión de trabajo", "review"),
    _t("ODG", r"ODG|official disability guidelines", "Official Disability Guidelines (ODG)",
       "guidelines used when California's guidelines do not cover a treatment",
       "Guías Oficiales de Discapacidad (ODG)",
       "guías que se usan cuando las guías de California no cubren un tratamiento", "review"),
    _t("ACOEM", r"ACOEM", "ACOEM guidelines",
       "guidelines from a group of job-injury doctors; part of California's guidelines",
       "guías de ACOEM", "guías de un grupo de médicos de lesiones de trabajo; son parte de las guías de California",
       "review"),
    _t("WCAB", r"WCAB|workers' compensation appeals board", "Workers' Compensation Appeals Board (WCAB)",
       "the court that hears workers' comp appeals",
       "Junta de Apelaciones de Compensación de Trabajadores (WCAB)",
       "el tribunal que decide las apelaciones de compensación de trabajadores", "review"),
    _t("I&A", r"I&A|information and assistance|information & assistance",
       "DWC Information & Assistance (I&A) unit", "a state office that gives free help with your claim",
       "unidad de Información y Asistencia (I&A) de la DWC",
       "una oficina del estado que da ayuda gratis con su reclamo", "review"),
    _t("functional improvement", r"functional (?:improvement|benefit|gains?)", "doing more",
       "being able to do more at home or at work because of a treatment",
       "mejora en sus actividades", "poder hacer más en casa o en el trabajo gracias a un tratamiento", "review"),
    _t("radiculopathy", r"radiculopathy|radicular", "pinched nerve",
       "a nerve in the spine that is pressed or irritated, often causing pain down an arm or leg",
       "nervio comprimido", "un nervio de la columna apretado o irritado, que a menudo causa dolor en un brazo "
       "o una pierna", "review"),
    _t("home exercise program", r"home exercise program", "home exercise",
       "exercises you do on your own at home", "ejercicios en casa", "ejercicios que usted hace solo en su casa",
       "review"),
    # treatments
    _t("FRP evaluation", r"functional restoration program evaluation",
       "evaluation for a functional restoration program", "a check to see if a full-day rehab program fits you",
       "evaluación para un programa de restauración funcional",
       "una revisión para ver si un programa de rehabilitación de día completo es para usted"),
    _t("FRP", r"functional restoration program(?: \(FRP\))?|FRP", "functional restoration program",
       "a full-day program with a team that helps you get back to daily life and work",
       "programa de restauración funcional",
       "un programa de día completo con un equipo que le ayuda a volver a su vida diaria y al trabajo"),
    _t("aquatic therapy", r"aquatic therapy|pool therapy", "aquatic therapy", "exercise in a pool with a therapist",
       "terapia acuática", "ejercicios en una piscina con un terapeuta"),
    _t("PT", r"physical therapy(?: \(PT\))?|physiotherapy|PT", "physical therapy",
       "exercise treatment with a therapist", "terapia física", "ejercicios con un terapeuta"),
    _t("chiropractic", r"chiropractic(?: treatment| care| manipulation| visits)?|manipulation", "chiropractic care",
       "hands-on treatment of the spine and joints", "quiropráctica",
       "tratamiento con las manos en la columna y las articulaciones"),
    _t("acupuncture", r"acupuncture", "acupuncture", "treatment with very thin needles", "acupuntura",
       "tratamiento con agujas muy finas"),
    _t("CBT", r"cognitive behavioral therapy(?: \(CBT\))?|CBT", "cognitive behavioral therapy (CBT)",
       "talk therapy to cope with pain and stress", "terapia cognitivo-conductual (CBT)",
       "terapia con un consejero para manejar el dolor y el estrés"),
    _t("TENS", r"TENS(?: unit)?|transcutaneous electrical nerve stimulation", "TENS unit",
       "a small device that sends mild electric pulses to ease pain", "unidad TENS",
       "un aparato pequeño que manda pulsos eléctricos suaves para aliviar el dolor"),
    _t("H-wave", r"H-wave(?: unit)?", "H-wave unit", "a device that sends electric pulses to ease pain",
       "unidad H-wave", "un aparato que manda pulsos eléctricos para aliviar el dolor"),
    _t("cold therapy unit", r"cold therapy unit|cryotherapy(?: unit)?", "cold therapy unit",
       "a machine that cools the area after surgery", "unidad de terapia de frío",
       "un aparato que enfría la zona después de la cirugía"),
    _t("ESI", r"epidural steroid injections?(?: \(ESI\))?|ESI", "epidural steroid injection (ESI)",
       "a steroid shot near the nerves of the spine", "inyección epidural de esteroides (ESI)",
       "una inyección de esteroides cerca de los nervios de la columna"),
    _t("facet injection", r"facet (?:joint )?injections?|medial branch blocks?", "facet injection",
       "a numbing shot into the small joints of the spine", "inyección en las facetas",
       "una inyección para adormecer las articulaciones pequeñas de la columna"),
    _t("radiofrequency ablation", r"radiofrequency ablation|radiofrequency neurotomy",
       "radiofrequency ablation", "heat that turns off small nerves that carry pain",
       "ablación por radiofrecuencia", "calor que apaga nervios pequeños que llevan el dolor"),
    _t("Synvisc", r"Synvisc injections?|hyaluronic acid injections?", "Synvisc injections",
       "gel shots into the knee for arthritis", "inyecciones de Synvisc", "inyecciones de gel en la rodilla para "
       "la artritis"),
    _t("arthroscopy", r"arthroscopy|arthroscopic surgery", "arthroscopy",
       "surgery through small cuts with a tiny camera", "artroscopia",
       "cirugía con cortes pequeños y una cámara diminuta"),
    _t("meniscectomy", r"partial (?:medial |lateral )?meniscectomy|meniscectomy", "partial meniscectomy",
       "taking out part of the torn cartilage in the knee", "meniscectomía parcial",
       "quitar parte del cartílago roto de la rodilla"),
    _t("fusion", r"(?:lumbar |cervical |spinal )?fusion", "spinal fusion", "surgery that joins bones of the spine",
       "fusión de columna", "cirugía que une huesos de la columna"),
    _t("hospital stay", r"inpatient hospital stay|inpatient stay|hospital stay", "hospital stay",
       "nights in the hospital", "estancia en el hospital", "noches en el hospital"),
    _t("medical clearance", r"pre-?operative medical clearance", "medical check before surgery",
       "a doctor visit to see if surgery is safe for you", "revisión médica antes de la cirugía",
       "una consulta para ver si la cirugía es segura para usted"),
    _t("home health aide", r"home health aide|home health services", "home health aide",
       "a helper who comes to your home", "asistente de salud en el hogar", "una persona que le ayuda en su casa"),
    _t("gym membership", r"gym membership", "gym membership", "paid use of a gym", "membresía de gimnasio",
       "pago para usar un gimnasio"),
    # tests
    _t("EMG/NCV", r"EMG/NCV|EMG/NCS|NCV/EMG|electrodiagnostic (?:studies|testing)", "nerve tests (EMG/NCV)",
       "tests of how well your nerves and muscles work", "pruebas de los nervios (EMG/NCV)",
       "pruebas que miden cómo funcionan sus nervios y músculos", "test"),
    _t("EMG", r"EMG|electromyography", "muscle and nerve test (EMG)", "a test of how your muscles and nerves work",
       "prueba de músculos y nervios (EMG)", "una prueba de cómo funcionan sus músculos y nervios", "test"),
    _t("MRI", r"MRI", "MRI", "a detailed scan of the inside of the body", "resonancia magnética (MRI)",
       "un estudio detallado del interior del cuerpo", "test"),
    _t("CT", r"CT scan|CT", "CT scan", "a detailed X-ray scan", "tomografía (CT)", "un estudio detallado con rayos X",
       "test"),
    _t("X-ray", r"x-rays?|radiographs?", "X-rays", "pictures of the bones", "radiografías",
       "imágenes de los huesos", "test"),
    _t("UDS", r"urine drug (?:screen|test)(?:ing)?|UDS|urine toxicology screens?", "urine drug test",
       "a urine test that shows which medicines or drugs are in your body", "prueba de drogas en la orina",
       "una prueba de orina que muestra qué medicamentos o drogas hay en su cuerpo", "test"),
    # medicines
    _t("Norco", r"Norco", "Norco", OPIOID_EN + " with hydrocodone and acetaminophen", "Norco",
       OPIOID_ES + ", con hidrocodona y acetaminofén", "medicine"),
    _t("hydrocodone/APAP", r"hydrocodone/APAP|hydrocodone/acetaminophen|hydrocodone", "hydrocodone with acetaminophen",
       OPIOID_EN, "hidrocodona con acetaminofén", OPIOID_ES, "medicine"),
    _t("tramadol ER", r"tramadol ER", "tramadol ER", OPIOID_EN + ", long-acting", "tramadol ER",
       OPIOID_ES + ", de acción prolongada", "medicine"),
    _t("tramadol", r"tramadol|ultram", "tramadol", OPIOID_EN, "tramadol", OPIOID_ES, "medicine"),
    _t("oxycodone", r"oxycodone|percocet", "oxycodone", OPIOID_EN, "oxicodona", OPIOID_ES, "medicine"),
    _t("opioid", r"opioids?|opiates?", "opioid", "a strong pain medicine that can cause dependence", "opioide",
       "un medicamento fuerte para el dolor que puede causar dependencia", "medicine"),
    _t("compounded cream", r"compounded topical cream|compounded cream|topical compound(?:ed)? cream",
       "compounded pain cream", "a cream mixed by a pharmacy to put on the skin", "crema compuesta para el dolor",
       "una crema preparada en la farmacia para poner en la piel", "medicine"),
    _t("Lidoderm", r"Lidoderm(?: \d+%)?(?: (?:dermal )?patch(?:es)?)?", "Lidoderm patches",
       "numbing patches with lidocaine", "parches de Lidoderm", "parches con lidocaína que adormecen la piel",
       "medicine"),
    _t("Terocin", r"Terocin(?: patch(?:es)?)?", "Terocin patches", "numbing patches with lidocaine and menthol",
       "parches Terocin", "parches con lidocaína y mentol que adormecen la piel", "medicine"),
    _t("naproxen", r"naproxen(?: sodium)?|anaprox", "naproxen", NSAID_EN, "naproxeno", NSAID_ES, "medicine"),
    _t("ibuprofen", r"ibuprofen", "ibuprofen", NSAID_EN, "ibuprofeno", NSAID_ES, "medicine"),
    _t("meloxicam", r"meloxicam", "meloxicam", NSAID_EN, "meloxicam", NSAID_ES, "medicine"),
    _t("flurbiprofen", r"flurbiprofen", "flurbiprofen", NSAID_EN, "flurbiprofeno", NSAID_ES, "medicine"),
    _t("NSAID", r"NSAIDs?", "anti-inflammatory pain medicine (NSAID)", "medicines like ibuprofen and naproxen",
       "antiinflamatorio para el dolor (NSAID)", "medicamentos como el ibuprofeno y el naproxeno", "medicine"),
    _t("omeprazole", r"omeprazole|prilosec", "omeprazole", "a medicine that protects the stomach", "omeprazol",
       "un medicamento que protege el estómago", "medicine"),
    _t("PPI", r"proton pump inhibitors?|PPI", "stomach-protecting medicine",
       "medicine that lowers stomach acid, like omeprazole", "medicamento para proteger el estómago",
       "medicamento que baja el ácido del estómago, como el omeprazol", "medicine"),
    _t("cyclobenzaprine", r"cyclobenzaprine|flexeril", "cyclobenzaprine", "a muscle relaxant", "ciclobenzaprina",
       "un relajante muscular", "medicine"),
    _t("baclofen", r"baclofen", "baclofen", "a muscle relaxant", "baclofeno", "un relajante muscular", "medicine"),
    _t("muscle relaxant", r"muscle relaxants?", "muscle relaxant", "a medicine that loosens tight muscles",
       "relajante muscular", "un medicamento que afloja los músculos tensos", "medicine"),
    _t("gabapentin", r"gabapentin|neurontin", "gabapentin", "a medicine for nerve pain", "gabapentina",
       "un medicamento para el dolor de los nervios", "medicine"),
    _t("lidocaine", r"lidocaine", "lidocaine", "a numbing medicine", "lidocaína", "un medicamento que adormece",
       "medicine"),
)


def terms_in(text: str, kinds: tuple[Kind, ...] | None = None) -> list[Term]:
    """The glossary terms a text uses, in glossary order, each once."""
    return [t for t in TERMS if (kinds is None or t.kind in kinds) and t.regex.search(text)]


def explain(key: str, lang: Lang = "en") -> str:
    """'physical therapy (exercise treatment with a therapist)' for 'PT'; KeyError for an unknown key."""
    for term in TERMS:
        if term.key.lower() == key.lower():
            return f"{term.name(lang)} ({term.note(lang)})"
    raise KeyError(key)


def glossary_entries(lang: Lang = "en", text: str | None = None) -> list[dict[str, str]]:
    """Rows for the UI: {'term', 'plain', 'meaning'}; only the terms `text` uses when it is given."""
    terms = TERMS if text is None else terms_in(text)
    return [{"term": t.key, "plain": t.name(lang), "meaning": t.note(lang)} for t in terms]


# --- treatment kinds: which plain reasons can explain an item -------------------------------------------------

# A plain reason is written for some kinds of treatment only ("help with housework is not medical treatment"
# explains a home health aide, never an opioid): the kinds are the vocabulary's (`imr_llm.vocabulary.TERM_KINDS`,
# `KIND_WORDS`), read from the glossary terms the item uses and its other words.


def treatment_kinds(item: str) -> frozenset[str]:
    """The kinds of a disputed item: opioid, home_health, drug_test, therapy, injection, surgery, test,
    evaluation, device, stomach, medicine (a medicine of any kind but those). Empty when none is known."""
    return vocabulary_kinds(item, ((t.key, t.kind) for t in terms_in(item)))
