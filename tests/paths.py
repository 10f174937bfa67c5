"""Where the tests and evals find the project's files: every path they share, in one place.

Importable as `paths` from tests/ and evals/ (pyproject's [tool.pytest.ini_options] puts tests/ on sys.path).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the checkout
EVALS = ROOT / "evals"
GOLD = EVALS / "gold"  # letters written beside the parser, each with its .gold.json
BLIND = EVALS / "blind"  # letters written by people who never read the parser
HOLDOUT = EVALS / "holdout"  # letters held out of the floors
GOLD_LETTER = GOLD / "000_cf4ccf513f3d2879.txt"  # the letter most tests read: one item, physical therapy, overturned
GOLD_LETTER_B = GOLD / "201_c_lumbar_pt_nsaid.txt"  # a second gold letter: physical therapy and two drugs
TEST_DATA = ROOT / "tests" / "data"
LETTERS = TEST_DATA / "letters"  # small test letters (t01_..., t02_...)
LETTERS_LLM = TEST_DATA / "letters_llm"
BENCHMARKS = ROOT / "benchmarks"

__all__ = ["BENCHMARKS", "BLIND", "EVALS", "GOLD", "GOLD_LETTER", "GOLD_LETTER_B", "HOLDOUT", "LETTERS",
           "LETTERS_LLM", "ROOT", "TEST_DATA"]
