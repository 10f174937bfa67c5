"""The load generator of the benchmark: deterministic per seed, realistic, and read right by the parser.

The generator knows the truth it wrote (each letter's case number, layout, items and
decisions), so every generated letter checks the parser too.
"""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.synth import LAYOUTS, MAX_CHARS, MIN_CHARS, generate, write_corpus  # the checkout is on sys.path
from imr_llm.store.load import letter_from_text, load_letter
from imr_llm.parse import parse_letter

N = 240


@pytest.fixture(scope="module")
def letters():
    return list(generate(N, seed=11))


def test_same_seed_same_letters_and_other_seed_other_letters():
    first = [(s.name, s.text, s.items) for s in generate(12, seed=5)]
    again = [(s.name, s.text, s.items) for s in generate(12, seed=5)]
    other = [(s.name, s.text, s.items) for s in generate(12, seed=6)]
    assert first == again
    assert all(a[1] != b[1] for a, b in zip(first, other))


def test_a_letter_depends_only_on_seed_and_index():
    whole = list(generate(10, seed=5))
    tail = list(generate(3, seed=5, start=7))
    assert [s.text for s in tail] == [s.text for s in whole[7:]]


def test_letters_look_like_the_corpus(letters):
    assert all(MIN_CHARS <= len(s.text) <= MAX_CHARS for s in letters)
    assert all(1 <= len(s.items) <= 6 for s in letters)
    assert set(Counter(s.layout for s in letters)) == set(LAYOUTS)
    assert Counter(len(s.items) for s in letters).keys() == {1, 2, 3, 4, 5, 6}
    assert len({s.case_number for s in letters}) == N
    decisions = Counter(d for s in letters for _, d in s.items)
    assert 0.7 <= decisions["upheld"] / sum(decisions.values()) <= 0.9
    treatments = {name.split()[0] for s in letters for name, _ in s.items}
    assert len(treatments) >= 25


def test_parser_reads_every_generated_letter(letters):
    wrong = []
    for synth in letters:
        summary = parse_letter(letter_from_text(synth.text, synth.name))
        got = [(i.item.value, i.decision.value) for i in summary.items]
        if got != synth.items or summary.case_id != synth.case_number or summary.layout != synth.layout:
            wrong.append(f"{synth.name}: wrote {synth.items} ({synth.layout}), parsed {got} ({summary.layout})")
    assert not wrong, "\n".join(wrong[:5])


def test_written_corpus_matches_the_generator(tmp_path):
    written = write_corpus(tmp_path, 4, seed=5)
    for synth, generated in zip(written, generate(4, seed=5)):
        letter = load_letter(tmp_path / f"{synth.name}.txt")
        assert letter.text == generated.text
        assert synth.case_number == generated.case_number
    assert len((tmp_path / "manifest.jsonl").read_text().splitlines()) == 4
