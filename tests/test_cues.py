"""The reader's cue table (imr_llm/parse/cues.py): every cue reads its own example, decision cues with the
right polarity, and the things that must never read as a decision of this letter do not."""

from __future__ import annotations

import pytest

from imr_llm.parse.announcements import find_anchors, similar
from imr_llm.parse.cues import CUES, polarity
from imr_llm.parse.flat import Flat
from imr_llm.parse.statements import decision_statements

# The decision each decision cue's example states (upheld = the denial stands).
EXPECTED = {
    "label": "upheld", "authorization_label": "upheld", "necessary_yes_no": "upheld", "recommendation": "overturned",
    "decision_on": "upheld", "administrator": "upheld", "reviewer_verb": "upheld", "answer": "upheld",
    "answer_label": "upheld", "request_status": "overturned", "necessity": "upheld", "necessity_established": "upheld",
    "criteria": "upheld", "concluding_support": "upheld", "numbered_verdict": "upheld",
    "numbered_verdict_line": "overturned", "verdict_line": "upheld", "item_line": "overturned",
    "verdict_first_line": "upheld", "state_of_denial": "upheld", "reviewer_certifies": "upheld",
}


def test_every_cue_has_an_example_and_every_decision_cue_an_expected_decision():
    assert all(cue.example for cue in CUES)
    assert {c.name for c in CUES if c.family == "decision"} == set(EXPECTED)
    assert len({c.name for c in CUES}) == len(CUES)


@pytest.mark.parametrize("cue", CUES, ids=lambda c: c.name)
def test_each_cue_matches_its_example(cue):
    assert cue.pattern.search(cue.example), f"{cue.name} does not read its own example {cue.example!r}"


@pytest.mark.parametrize("cue", [c for c in CUES if c.family == "decision"], ids=lambda c: c.name)
def test_each_decision_example_is_read_with_its_decision(cue):
    statements = decision_statements(cue.example)
    assert statements, f"no decision read in {cue.example!r}"
    assert statements[0].decision == EXPECTED[cue.name]
    assert cue.example[statements[0].start : statements[0].end].strip()  # a span of the example


@pytest.mark.parametrize("cue", [c for c in CUES if c.family == "item" and c.where == "line"], ids=lambda c: c.name)
def test_each_item_line_cue_announces_its_example(cue):
    text = f"\n{cue.example}\n\nDecision: Upheld\n\nRationale: The guideline criteria are not met.\n"
    assert any(a.cue == cue.name for a in find_anchors(text, Flat.of(text))), cue.example


@pytest.mark.parametrize("phrase, decision", [
    ("Upheld", "upheld"), ("UPHOLD", "upheld"), ("uphe1d", "upheld"), ("Denied", "upheld"), ("Non-certified", "upheld"),
    ("not certified", "upheld"), ("NOT MEDICALLY NECESSARY", "upheld"), ("not rnedically necessary", "upheld"),
    ("Overturned", "overturned"), ("OVERTURN", "overturned"), ("Reversed", "overturned"), ("Certified", "overturned"),
    ("Approved", "overturned"), ("medically necessary", "overturned"), ("Recommend non-certification", "upheld"),
])
def test_polarity_of_verdict_phrases(phrase, decision):
    assert polarity(phrase) == decision


@pytest.mark.parametrize("sentence", [
    '"The request for Norco 10/325mg #120 is not medically necessary," the UR reviewer wrote.',
    "The procedure would be medically necessary if an MRI confirmed a meniscal tear.",
    "Because the fusion is not medically necessary, the surgeon's plan cannot proceed.",
    "Norco was previously certified for weaning in February.",
    "Final Determination: OVERTURN",
    "RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE IS/WAS NOT MEDICALLY NECESSARY:",
    "This means one or more of the disputed items/services is medically necessary and appropriate.",
    "The reviewer found that none of the disputed treatments is medically necessary.",
])
def test_sentences_that_state_no_decision_of_this_letter(sentence):
    assert decision_statements(sentence) == []


def test_a_rewrapped_verdict_is_prose_not_a_label():
    text = "After review of the records, the requested chiropractic care, six visits, is\noverturned.\n"
    statements = decision_statements(text)
    assert [s.cue for s in statements] != ["verdict_line"]


@pytest.mark.parametrize("a, b, same", [
    ("Norco 10/325mg #60", "Norco 10/325mg #120", False),
    ("MRI LUMBAR SPINE", "PHYSICAL THERAPY 3X4 LUMBAR SPINE", False),
    ("EMG/NCV BILATERAL LOWER", "EMG/NCV of the bilateral lower extremities", True),
    ("the request for Terocin patches #30", "Terocin patches #30", True),
    ("Anterior/posterior lumbar fusion at L4-L5 and L5-S1 with",
     "Anterior/posterior lumbar fusion at L4-L5 and L5-S1 with 3-day inpatient stay", True),
])
def test_two_mentions_name_one_item_only_when_they_should(a, b, same):
    assert similar(a, b) is same
