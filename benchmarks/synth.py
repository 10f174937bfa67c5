"""Synthetic IMR letters FOR LOAD ONLY: seeded, deterministic, in the four layouts the parser reads.

    python benchmarks/synth.py OUT_DIR --letters 1000 --seed 7

Each letter has 1 to 6 disputed items (about 80% upheld), 3,000 to 15,000 characters
and a unique case number. The generator knows the truth it wrote (`SynthLetter.items`),
so tests can check the parser against it. These letters are invented: they never go
into evals/gold and nothing in them is a medical or legal fact.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import textwrap
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from rapidfuzz import fuzz

try:  # run as a script or imported as benchmarks.synth
    from . import synth_data as vocab
except ImportError:  # pragma: no cover
    import synth_data as vocab  # type: ignore[no-redef]

__all__ = ["LAYOUTS", "SynthLetter", "generate", "write_corpus"]

LAYOUTS = ("issues-decisions-rationales", "decisions-and-rationales", "maximus-federal-services",
           "medical-professional-review")
MIN_CHARS, MAX_CHARS = 3000, 15000
UPHELD_RATE = 0.8
_ITEM_WEIGHTS = (30, 25, 18, 12, 8, 7)  # 1..6 items
_CASE_BASE = 9_000_000  # far from the case numbers of the gold letters


@dataclass
class SynthLetter:
    name: str
    layout: str
    case_number: str
    items: list[tuple[str, str]]  # (item as written, "upheld" | "overturned")
    text: str = field(repr=False)


def _d(day: date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def _short(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year % 100:02d}"


def _wrap(paragraph: str, width: int = 95) -> list[str]:
    # A line opening with a dose such as "7.5mg" reads as item number 7 to the parser (a known
    # parser limit, reported); these letters are for load, so they avoid it.
    for w in range(width, width - 10, -1):
        lines = textwrap.wrap(paragraph, w, break_on_hyphens=False)
        if not any(re.match(r"\d{1,2}[.)]\S", line) for line in lines[1:]):
            break
    return [line + " " for line in lines]


class _Builder:
    """One letter: its random facts, then text rendered in one layout."""

    def __init__(self, rng: random.Random, index: int, layout: str):
        self.rng = rng
        self.layout = layout
        year = {"decisions-and-rationales": 2013, "issues-decisions-rationales": 2014,
                "maximus-federal-services": 2014, "medical-professional-review": rng.choice((2015, 2016))}[layout]
        self.case = f"CM{year % 100:02d}-{_CASE_BASE + index:07d}"
        self.decided = date(year, 1, 1) + timedelta(days=rng.randrange(300))
        self.ur = self.decided - timedelta(days=rng.randrange(40, 90))
        self.assigned = self.ur + timedelta(days=rng.randrange(12, 30))
        self.received = self.assigned - timedelta(days=rng.randrange(3, 10))
        self.injury = self.ur - timedelta(days=rng.randrange(200, 2500))
        self.age = rng.randrange(24, 68)
        self.sex = rng.choice(("male", "female"))
        self.part = rng.choice(vocab.PARTS)
        self.specialty = rng.choice(vocab.SPECIALTIES)
        self.items = self._items()

    # -- facts ---------------------------------------------------------------------------------

    def _fill(self, template: str, **extra) -> str:
        r = self.rng
        values = dict(part=self.part, level=r.choice(vocab.LEVELS), n=r.choice((6, 8, 12, 18)), n2=r.choice((12, 18, 24, 36)),
                      q=r.choice((30, 60, 90, 120)), f=r.choice((2, 3)), w=r.choice((4, 6)), h=r.choice((4, 8, 80, 160)),
                      m=r.choice((3, 6, 12)), p=r.randrange(6, 10), p2=r.randrange(2, 5), deg=r.choice((30, 40, 45, 60)),
                      date1=_short(self.ur - timedelta(days=r.randrange(10, 40))),
                      date2=_short(self.ur - timedelta(days=r.randrange(1, 9))))
        values.update(extra)
        return template.format(**values)

    def _items(self) -> list[tuple[vocab.Treatment, str, str]]:
        r = self.rng
        wanted = r.choices(range(1, 7), weights=_ITEM_WEIGHTS)[0]
        chosen: list[tuple[vocab.Treatment, str, str]] = []
        for treatment in r.sample(vocab.TREATMENTS, len(vocab.TREATMENTS)):
            if len(chosen) == wanted:
                break
            name = self._fill(treatment.request)
            # Items of one letter are distinct treatments, never near-duplicate names.
            if any(fuzz.token_set_ratio(name.lower(), other.lower()) >= 75 for _, other, _ in chosen):
                continue
            chosen.append((treatment, name, "upheld" if r.random() < UPHELD_RATE else "overturned"))
        return chosen

    def _rationale(self, treatment: vocab.Treatment, name: str, decision: str, sentences: int) -> str:
        r = self.rng
        parts = list(treatment.statements[: r.randrange(1, len(treatment.statements) + 1)])
        specific = treatment.against if decision == "upheld" else treatment.support
        generic = vocab.GENERIC_AGAINST if decision == "upheld" else vocab.GENERIC_FOR
        parts += r.sample(specific, min(len(specific), r.randrange(1, 3)))
        parts += r.sample(generic, min(len(generic), max(0, sentences - len(parts))))
        negation = "not " if decision == "upheld" else ""
        if self.layout == "medical-professional-review":
            parts.append(f"The request is {negation}medically necessary.")
        elif self.layout == "decisions-and-rationales":
            parts.append(f"The request for {name} is {negation}medically necessary and appropriate.")
        else:
            parts.append(f"Therefore, the request for {name} is {negation}medically necessary.")
        return " ".join(self._fill(p) for p in parts)

    def _narrative(self, sentences: int) -> str:
        r = self.rng
        pronoun = "He" if self.sex == "male" else "She"
        parts = [
            f"The injured worker is a {self.age} year old {self.sex} {r.choice(vocab.OCCUPATIONS)} who sustained an industrial "
            f"injury on {_short(self.injury)} while {r.choice(vocab.MECHANISMS)}.",
            f"The diagnoses include {', '.join(r.sample(vocab.DIAGNOSES, r.randrange(2, 4)))}.",
            f"Treatment to date has included {', '.join(r.sample(vocab.HISTORY, r.randrange(2, 5)))}.",
            f"Physical examination revealed {', '.join(self._fill(e) for e in r.sample(vocab.EXAM, 3))}.",
        ]
        parts += [self._fill(s) for s in r.sample(vocab.NARRATIVE, min(len(vocab.NARRATIVE), sentences))]
        parts.append(f"{pronoun} is requesting the treatment under review, and on {_short(self.ur)} Utilization Review "
                     "did not certify the requests.")
        return " ".join(parts)

    # -- layouts -------------------------------------------------------------------------------

    def _how(self) -> str:
        return ("MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no affiliation "
                "with the employer, employee, providers or the claims administrator. The expert reviewer is Board "
                f"Certified in {self.specialty} and is licensed to practice in California. He/she has been in active "
                "clinical practice for more than five years and is currently working at least 24 hours a week in active "
                "practice. He/she is familiar with governing laws and regulations, including the strength of evidence "
                "hierarchy that applies to Independent Medical Review determinations.")

    def _final(self) -> str:
        if all(d == "upheld" for _, _, d in self.items):
            return ("Final Determination: UPHOLD. This means we decided that none of the disputed items/services are "
                    "medically necessary and appropriate.")
        return ("Final Determination: OVERTURN. This means we decided that one or more of the disputed items/services "
                "are medically necessary and appropriate.")

    def render(self, rationale_sentences: int, narrative_sentences: int) -> str:
        blocks = getattr(self, "_" + self.layout.replace("-", "_"))(rationale_sentences, narrative_sentences)
        lines: list[str] = []
        chars_on_page, page = 0, 1
        for block in blocks:
            if isinstance(block, tuple):  # a line that must not wrap
                lines.append(block[0] + " ")
            else:
                lines.extend(_wrap(block) if block else [" "])
            chars_on_page += len(block[0] if isinstance(block, tuple) else block)
            if chars_on_page > 3200 and block == "":
                page += 1
                lines += [f"{self.case} ", f"Page {page} of 5 ", " "]
                chars_on_page = 0
        sep = "\n\n" if self.layout == "maximus-federal-services" else "\n"  # that layout is double spaced
        return sep.join(lines) + "\n"

    def _item_sections(self, rs: int, numbered: bool) -> list:
        out: list = []
        for i, (treatment, name, decision) in enumerate(self.items, start=1):
            word = "Upheld" if decision == "upheld" else "Overturned"
            head = f"{i}. {name}:  {word}" if numbered else f"{name}:  {word}"
            out += [(head,), "", f"Claims Administrator guideline: Decision based on {treatment.guideline}.", "",
                    f"MAXIMUS guideline: Decision based on {treatment.guideline}.", "",
                    f"Decision rationale: {self._rationale(treatment, name, decision, rs)}", ""]
        return out

    def _issues_decisions_rationales(self, rs: int, ns: int) -> list:
        return [(f"Case Number: {self.case}",), (f"Date Assigned: {_d(self.assigned)}",), (f"Date of Injury: {_d(self.injury)}",),
                (f"Decision Date: {_d(self.decided)}",), (f"UR Denial Date: {_d(self.ur)}",), ("Priority: Standard",),
                (f"Application Received: {_d(self.received)}",), "", ("HOW THE IMR FINAL DETERMINATION WAS MADE",), "",
                self._how(), "", ("CLINICAL CASE SUMMARY",), "",
                "The expert reviewer developed the following clinical case summary based on a review of the case file, "
                "including all medical records:", "", self._narrative(ns), "",
                ("IMR ISSUES, DECISIONS AND RATIONALES",), "",
                "The Final Determination was based on decisions for the disputed items/services set forth below:", "",
                *self._item_sections(rs, numbered=False)]

    def _maximus_federal_services(self, rs: int, ns: int) -> list:
        return [("MAXIMUS FEDERAL SERVICES, INC.",), ("Independent Medical Review",), ("P.O. Box 138009",),
                ("Sacramento, CA 95813-8009",), "", (f"Dated: {_d(self.decided + timedelta(days=3))}",), "",
                (f"IMR Case Number:  {self.case} Date Assigned:  {_d(self.assigned)}",),
                (f"Date of Injury:  {_d(self.injury)} Decision Date:  {_d(self.decided)}",),
                (f"UR Denial Date:  {_d(self.ur)} Priority:  Standard",), (f"Application Received:  {_d(self.received)}",),
                ("Employee:",), ("Claims Administrator:",), "",
                (f"Final Determination Letter for IMR Case Number {self.case}",), "",
                "MAXIMUS Federal Services has completed the Independent Medical Review (IMR) of the above workers' "
                "compensation case. This letter provides you with the IMR Final Determination and explains how the "
                "determination was made.", "", self._final(), "", ("HOW THE IMR FINAL DETERMINATION WAS MADE",), self._how(), "",
                ("DOCUMENTS REVIEWED",), "Application of Independent Medical Review, Utilization Review Determination, "
                "Medical Treatment Utilization Schedule, medical records.", "", ("CLINICAL CASE SUMMARY",),
                "The expert reviewer developed the following clinical case summary based on a review of the case file, "
                "including all medical records:", "", self._narrative(ns), "", ("IMR DECISION(S) AND RATIONALE(S)",),
                "The Final Determination was based on decisions for the disputed items/services set forth below:", "",
                *self._item_sections(rs, numbered=self.rng.random() < 0.3)]

    def _decisions_and_rationales(self, rs: int, ns: int) -> list:
        names = "; ".join(name for _, name, _ in self.items)
        out: list = [("Notice of Independent Medical Review Determination",), "", (f"Dated: {_short(self.decided)}",), "",
                     (f"IMR Case Number:  {self.case} Date of Injury:  {_short(self.injury)}",),
                     (f"Claims Number:    Date of UR Decision:  {_short(self.ur)}",),
                     (f"Priority:  Standard Application Received:  {_short(self.received)}",), ("Employee:",),
                     f"Disputed Items Requested: {names}", "", "Dear  ,", "",
                     "MAXIMUS Federal Services, Inc. has completed the Independent Medical Review (IMR) of the above "
                     "workers' compensation case. This letter provides you with the IMR Final Determination and "
                     "explains how the determination was made.", "", self._final(), "",
                     "This determination is final and binding. If you disagree with this determination, you may file an "
                     "appeal with the Workers' Compensation Appeals Board within 30 days of the date of mailing of this "
                     "determination.", "", ("Medical Director",), "", ("HOW THE IMR FINAL DETERMINATION WAS MADE",), "",
                     "MAXIMUS Federal Services sent the complete case file to a physician reviewer who has no affiliation "
                     "with the employer, employee, providers or the claims administrator.", "", ("Summary of IMR Decision:",)]
        for i, (_, name, decision) in enumerate(self.items, start=1):
            negation = "not " if decision == "upheld" else ""
            out.append(f"{i}) MAXIMUS Federal Services, Inc. has determined the request for {name} is {negation}medically "
                       "necessary and appropriate.")
        out += ["", ("Medical Qualifications of the Expert Reviewer:",),
                f"The physician reviewer is Board Certified in {self.specialty} and is licensed to practice in California.",
                "", ("Expert Reviewer Case Summary:",), self._narrative(ns), "",
                ("INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE",), ""]
        for i, (treatment, name, decision) in enumerate(self.items, start=1):
            negation = "not " if decision == "upheld" else ""
            out += [f"{i}. {name} is {negation}medically necessary and appropriate.", "",
                    f"The Claims Administrator based its decision on the {treatment.guideline}.", "",
                    f"The Physician Reviewer based his/her decision on the {treatment.guideline}.", "",
                    ("The Physician Reviewer's decision rationale:",), self._rationale(treatment, name, decision, rs), ""]
        return out

    def _medical_professional_review(self, rs: int, ns: int) -> list:
        numbered = self.rng.random() < 0.5
        label = (lambda i, name: f"{i}. {name}") if numbered else (lambda i, name: name)
        out: list = [("MEDICAL PROFESSIONAL REVIEW",), (f"IMR Case Number: {self.case} Date Assigned: {_d(self.assigned)}",),
                     (f"Date of Injury: {_d(self.injury)} Decision Date: {_d(self.decided)}",),
                     (f"UR Denial Date: {_d(self.ur)} Priority: Standard",), (f"Application Received: {_d(self.received)}",), "",
                     ("ISSUE AT DISPUTE:",)]
        for i, (_, name, decision) in enumerate(self.items, start=1):
            out.append((f"{label(i, name)}:  {'Upheld' if decision == 'upheld' else 'Overturned'}",))
        out += ["", ("CASE SUMMARY:",), self._narrative(ns), "", ("DOCUMENTS REVIEWED FOR DETERMINATION:",),
                "Application for Independent Medical Review, Utilization Review Determination, Medical Treatment "
                "Utilization Schedule, medical records.", "",
                ("MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY:",)]
        for i, (treatment, name, _) in enumerate(self.items, start=1):
            out.append(f"{label(i, name)}: {treatment.guideline}.")
        out += ["", ("RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT MEDICALLY NECESSARY:",)]
        for i, (treatment, name, decision) in enumerate(self.items, start=1):
            out.append(f"{label(i, name)}: {self._rationale(treatment, name, decision, rs)}")
        out += ["", ("MEDICAL REVIEWER QUALIFICATIONS:",),
                f"The reviewer is Board Certified in {self.specialty} and is licensed to practice in California. "
                "The reviewer has been in active clinical practice for more than five years.", ""]
        return out


def _one(seed: int, index: int) -> SynthLetter:
    rng = random.Random(f"{seed}:{index}")
    layout = LAYOUTS[rng.randrange(len(LAYOUTS))]
    builder = _Builder(rng, index, layout)
    rs, ns = rng.randrange(3, 10), rng.randrange(3, 12)
    state = rng.getstate()
    for _ in range(20):  # keep within realistic lengths
        rng.setstate(state)
        text = builder.render(rs, ns)
        if len(text) < MIN_CHARS:
            ns, rs = ns + 2, rs + 1
        elif len(text) > MAX_CHARS and rs > 2:
            rs -= 1
        else:
            break
    short = builder.items[0][0].key
    return SynthLetter(name=f"synth-{index:05d}-{layout[:3]}-{short}", layout=layout, case_number=builder.case,
                       items=[(name, decision) for _, name, decision in builder.items], text=text)


def generate(n: int, seed: int = 7, start: int = 0):
    """Yield letters `start` .. `start + n - 1` of the corpus for `seed` (each letter depends only on both)."""
    for index in range(start, start + n):
        yield _one(seed, index)


def write_corpus(folder: str | Path, n: int, seed: int = 7) -> list[SynthLetter]:
    """Write `n` letters as `<name>.txt` and their truth as `manifest.jsonl`; returns them without their text."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    with open(folder / "manifest.jsonl", "w", encoding="utf-8") as manifest:
        for letter in generate(n, seed):
            (folder / f"{letter.name}.txt").write_text(letter.text, encoding="utf-8")
            letter.text = ""
            manifest.write(json.dumps({k: v for k, v in asdict(letter).items() if k != "text"}) + "\n")
            out.append(letter)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--letters", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_corpus(args.out, args.letters, args.seed)


if __name__ == "__main__":
    main()
