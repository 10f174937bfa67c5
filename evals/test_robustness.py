"""Every gold and blind letter, rewritten every way of evals/rewrites.py, is read as the original is.

A rewrite keeps a letter's meaning (tested in test_rewrites.py), so the reader must find the same
items, one to one (imr_llm.evaluation.gold's matching, so a rewrapped or hyphenated item text still pairs),
with the same decisions, and the same case fields. Each rewrite is compared with the reading of the
ORIGINAL letter, not with gold: this measures stability. The letters are those in evals/gold and
evals/blind when the tests are collected. `python -m evals.rewrites report` prints the same as a table;
IMR_REWRITES=name,name runs only those rewrites.
"""

from __future__ import annotations

import os

import pytest

from evals.rewrites import REWRITES, LetterCase, compare, gold_agreement, letter_paths

LETTERS = letter_paths()
# IMR_REWRITES=rewrap_60,ocr runs only those (a quicker loop while fixing the reader); default: all.
CHOSEN = [n.strip() for n in os.environ.get("IMR_REWRITES", "").split(",") if n.strip()] or list(REWRITES)


def test_the_chosen_rewrites_exist():
    unknown = sorted(set(CHOSEN) - set(REWRITES))
    assert not unknown, f"IMR_REWRITES names unknown rewrites {unknown}; known: {', '.join(REWRITES)}"


@pytest.mark.slow  # every letter x every rewrite
@pytest.mark.parametrize("rewrite", [n for n in CHOSEN if n in REWRITES])
@pytest.mark.parametrize("path", LETTERS, ids=[f"{p.parent.name}/{p.stem}" for p in LETTERS])
def test_a_rewritten_letter_is_read_as_the_original(path, rewrite):
    case = LetterCase.of(path)
    problems = compare(case, rewrite)
    if problems:
        gold = {None: "no gold record", True: "agrees with gold", False: "differs from gold"}
        pytest.fail(f"{case.name} rewritten by {rewrite} is read differently from the original "
                    f"(original {gold[gold_agreement(case, None)]}, rewrite {gold[gold_agreement(case, rewrite)]}):\n  "
                    + "\n  ".join(problems), pytrace=False)


def test_the_letters_are_all_there():
    names = {p.parent.name for p in LETTERS}
    assert "gold" in names and len(LETTERS) >= 25
