"""The rewrites of evals/rewrites.py: each on an example, and each keeping every letter's words.

These test the generator, not the reader: a rewrite that changed what a letter says would make
evals/test_robustness.py blame the reader for the generator's fault.
"""

from __future__ import annotations

import doctest
import re
import unicodedata

import pytest

from evals import rewrites
from evals.rewrites import (
    REWRITES,
    case_changes,
    double_space,
    form_feeds,
    hyphenate_all,
    indent,
    letter_paths,
    ligatures,
    line_endings,
    ocr,
    page_headers,
    pdf_extract,
    read_letter_text,
    rewrap_60,
    rewrap_110,
    soft_hyphens,
    spacing,
    tabs,
    trailing_spaces,
    unicode_punctuation,
)

PROSE = (
    "Decision rationale: The MTUS Chronic Pain Medical Treatment Guidelines recommend physical medicine with\n"
    "fading of treatment frequency, plus active self-directed home physical medicine. The injured worker\n"
    "completed eight sessions with documented functional improvement, so the request for six more sessions is\n"
    "overturned.\n"
)
ITEM_LINE = "Norco 10/325mg #60:  Overturned\n"
LETTER = (
    "IMR Case Number:  CM14-0012345 Date of Injury:  4/2/2012\n"
    "Dated: 9/18/2013\n\n"
    "The utilization review of 3/1/2013 non-certified the request, and the file went to an expert with no\n"
    "affiliation with the parties.\n\n"
    "IMR ISSUES, DECISIONS AND RATIONALES\n\n" + ITEM_LINE + "\n" + PROSE
)


PAGED = {"page_headers", "form_feeds", "pdf_extract"}


def words(text: str, furniture: bool = False) -> list[str]:
    """What a reader takes from a text: its words, whatever the case, wrapping, hyphen breaks and
    typography; with `furniture`, without lines that only say 'Page 2 of 4', a case number or a date."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "").lower()
    text = re.sub(r"(?<=[a-z])-[ \t]*(\r?\n[ \t\f\r\n]*)+(?=[a-z])", "", text)  # words broken across lines
    kept = [line for line in re.split(r"[\r\n\f]+", text) if not furniture or not re.fullmatch(
        r"\s*(page \d+ of \d+|cm\d\d-\d+|final determination letter for imr case number cm\d\d-\d+"
        r"|\d{1,2}/\d{1,2}/\d{2,4}|[a-z]+ \d{1,2}, \d{4})\s*", line)]
    return re.findall(r"[a-z0-9]+", " ".join(kept))


def test_every_docstring_example_holds():
    failed, tried = doctest.testmod(rewrites, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried >= 17 and failed == 0


def test_at_least_eight_rewrites_each_documented():
    assert len(REWRITES) >= 8
    assert all(fn.__doc__ and len(fn.__doc__.split()) > 8 for fn in REWRITES.values())


@pytest.mark.parametrize("name", list(REWRITES))
def test_a_rewrite_is_pure_and_seeded(name):
    fn, letter = REWRITES[name], LETTER.replace(PROSE, PROSE * 3)
    assert fn(letter, seed=7) == fn(letter, seed=7)
    assert fn(letter, seed=7) != letter


def test_rewrap_60_moves_the_decision_word_to_the_start_of_a_line_and_keeps_item_lines():
    text = rewrap_60(LETTER, seed=1)
    lines = text.splitlines()
    assert ITEM_LINE.strip() in lines and "IMR ISSUES, DECISIONS AND RATIONALES" in lines
    assert max(len(line) for line in lines[lines.index(ITEM_LINE.strip()) + 1:]) <= 60
    assert any(line.startswith(("overturned.", "sessions is overturned.")) for line in lines) or \
        "overturned." in lines[-1]
    assert words(text) == words(LETTER)


def test_rewrap_hyphenates_long_words_but_never_decision_words():
    text = rewrap_60(PROSE * 3, seed=2)
    broken = re.findall(r"([A-Za-z]+)-\n([a-z]+)", text)
    assert broken, text
    assert all((a + b).lower() not in rewrites.DECISION_WORDS for a, b in broken)
    assert all(len(a) >= 3 and len(b) >= 3 for a, b in broken)
    assert words(text) == words(PROSE * 3)


def test_rewrap_110_joins_wrapped_lines_up_to_110_columns():
    narrow = rewrap_60(PROSE, seed=3)
    text = rewrap_110(narrow, seed=3)
    assert len(text.splitlines()) < len(narrow.splitlines())
    assert 100 <= max(map(len, text.splitlines())) <= 110
    assert words(text) == words(PROSE)


@pytest.mark.parametrize("table", [
    ("    NOT MEDICALLY NECESSARY ....... Functional capacity evaluation of the right upper extremity and hand\n"
     "    MEDICALLY NECESSARY ........... Acupuncture, 6 visits, right wrist and hand, to be done in the clinic\n"),
    ("| Additional acupuncture 2 times a week for 3 weeks for the     | Upheld       |\n"
     "| cervical spine and bilateral shoulders                        |              |\n"),
    ("Norco 10/325mg #120                        Upheld           MTUS Chronic Pain Medical\n"
     "                                                            Treatment Guidelines, pages 76-80\n"),
])
def test_rewrap_leaves_tables_alone(table):
    assert rewrap_60(table, seed=1) == table and rewrap_110(table, seed=1) == table


def test_rewrap_keeps_a_line_its_writer_broke_with_a_hyphen():
    text = "She has neck pain rated 6/10 with radia-\ntion into the right trapezius and occasional headaches today.\n"
    assert "radia-\ntion" in rewrap_60(text)


def test_hyphenate_all_breaks_decision_words_too():
    text = "".join(read_letter_text(p) for p in letter_paths()[:25])
    out = hyphenate_all(text, seed=1)
    broken = {(a + b).lower() for a, b in re.findall(r"([A-Za-z]+)-\n\s*([a-z]+)", out)}
    assert broken & rewrites.DECISION_WORDS, sorted(broken)[:20]
    assert max(len(line) for line in out.splitlines() if not rewrites._is_tabular(line)
               and not rewrites._is_heading(line)) <= max(72, max(map(len, text.splitlines())))
    assert words(out) == words(text)


def test_tabs_replace_the_gap_after_a_label():
    out = tabs(LETTER)
    assert "IMR Case Number:\tCM14-0012345 Date of Injury:\t4/2/2012" in out
    assert "Norco 10/325mg #60:\tOverturned" in out and "Decision rationale: The" in out


def test_double_space_puts_a_blank_line_after_every_line():
    assert double_space("a\r\nb\r\n") == "a\r\n\r\nb\r\n\r\n"


def test_line_endings_flip_between_lf_and_crlf():
    assert line_endings(LETTER).count("\r\n") == LETTER.count("\n")
    assert line_endings(line_endings(LETTER)) == LETTER


def test_page_headers_repeat_only_the_letters_own_case_number_and_date():
    text = page_headers(LETTER.replace(PROSE, PROSE * 20), seed=4)
    assert "Page 1 of" in text and "Final Determination Letter for IMR Case Number CM14-0012345" in text
    assert set(re.findall(r"CM\d\d-\d+", text)) == {"CM14-0012345"}
    assert set(re.findall(r"\d+/\d+/\d{4}", text)) == set(re.findall(r"\d+/\d+/\d{4}", LETTER))
    no_case = page_headers(PROSE * 20, seed=4)
    assert "Page 1 of" in no_case and "CM" not in no_case
    lines = text.splitlines()
    at = lines.index("Page 1 of " + re.search(r"Page 1 of (\d+)", text).group(1))
    assert lines[at - 3].strip() and not lines[at - 3].rstrip().endswith(":")  # a page ends inside prose


def test_form_feeds_break_pages_mid_text():
    text = form_feeds(PROSE * 30, seed=1)
    assert text.count("\f") >= 2
    assert words(text, furniture=True) == words(PROSE * 30, furniture=True)


def test_ocr_leaves_protected_decision_and_number_words_alone():
    text = PROSE * 4
    rewritten = ocr(text, seed=3, protect=frozenset({"physical", "medicine"}))
    assert rewritten != text
    assert rewritten.count("physical") == text.count("physical")
    assert rewritten.count("overturned.") == text.count("overturned.")
    assert rewritten.count("Decision rationale:") == text.count("Decision rationale:")
    assert rewritten.count("10/325mg") == text.count("10/325mg")


def test_ocr_confusions_are_the_usual_ones():
    import difflib

    text = PROSE * 6
    respelled, merged = [], []
    for before, after in zip(text.splitlines(), ocr(text, seed=5).splitlines(), strict=True):
        original, rewritten = before.split(), after.split()
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, original, rewritten, autojunk=False).get_opcodes():
            if op == "equal":
                continue
            assert op == "replace", (op, original[i1:i2], rewritten[j1:j2])
            if i2 - i1 == j2 - j1:
                respelled += zip(original[i1:i2], rewritten[j1:j2])
            else:  # two words run together (and perhaps one of them respelled)
                joined, now = "".join(original[i1:i2]), "".join(rewritten[j1:j2])
                assert (i2 - i1) - (j2 - j1) == 1, (original[i1:i2], rewritten[j1:j2])
                assert joined == now or difflib.SequenceMatcher(None, joined, now).ratio() > 0.9, (joined, now)
                merged.append(rewritten[j1:j2])
    assert respelled and merged and len(respelled) + len(merged) < len(text.split()) // 5
    for a, b in respelled:
        one = [(x, y) for x, y in (("l", "1"), ("o", "0"), ("O", "0"), ("rn", "m"), ("m", "rn"), ("e", "c"))
               if any(a[:k] + y + a[k + len(x):] == b for k in range(len(a)) if a.startswith(x, k))]
        assert one, (a, b)


def test_unicode_punctuation_keeps_case_numbers_and_dates():
    text = "CM14-0012345 injured 10-02-2012; the physician's note said \"better\" - pages 98-99 at L4-5.\n"
    out = unicode_punctuation(text, seed=1)
    assert out.startswith("CM14-0012345") and "10-02-2012" in out
    assert "physician’s" in out and "“better”" in out and "98–99" in out and "L4–5" in out
    assert re.search(r"” [–—] pages", out)


def test_ligatures_are_what_nfkc_undoes():
    out = ligatures("non-certified, affirmed, office, fluoroscopy")
    assert out == "non-certiﬁed, aﬃrmed, oﬃce, ﬂuoroscopy"
    assert unicodedata.normalize("NFKC", out) == "non-certified, affirmed, office, fluoroscopy"


def test_soft_hyphens_are_invisible():
    text = PROSE * 3
    out = soft_hyphens(text, seed=2)
    assert "\u00ad" in out and out.replace("\u00ad", "") == text
    assert all(len(w) >= 8 for w in re.findall(r"[A-Za-z\u00ad]*\u00ad[A-Za-z\u00ad]*", out))


def test_trailing_spaces_change_only_the_ends_of_lines():
    out = trailing_spaces(LETTER, seed=1)
    assert out != LETTER and "\t\n" in out + trailing_spaces(LETTER, seed=2)
    assert [x.rstrip() for x in out.split("\n")] == [x.rstrip() for x in LETTER.split("\n")]


def test_indent_shifts_each_block_as_a_whole():
    table = "Item   Determination\nNorco  Upheld\n\nProse line one\nline two\n"
    out = indent(table, seed=1)
    assert [x.strip() for x in out.split("\n")] == [x.strip() for x in table.split("\n")]
    first, second = out.split("\n")[:2]
    assert first.index("Determination") - first.index("Item") == second.index("Upheld") - second.index("Norco")


def test_spacing_widens_redaction_gaps_and_sentence_ends():
    out = spacing("Per the report by  , the pain is 7/10. She is working.\n", seed=1)
    assert re.search(r"by {4,}, the", out) and "7/10.  She" in out


def test_case_changes_only_change_case():
    out = case_changes(LETTER, seed=3)
    assert out.lower() == LETTER.lower() and out != LETTER
    assert "Imr Issues" not in out and "IMR Issues, Decisions and Rationales" in out


def test_pdf_extract_combines_wrapping_pages_ligatures_and_double_spacing():
    out = pdf_extract(LETTER.replace(PROSE, PROSE * 20), seed=1)
    assert "\f" in out and "\n\n" in out and "Page 1 of" in out
    assert words(out, True) == words(LETTER.replace(PROSE, PROSE * 20), True)


@pytest.mark.slow  # every letter, rewritten
@pytest.mark.parametrize("name", [n for n in REWRITES if n != "ocr"])
def test_a_rewrite_keeps_every_word_of_every_letter(name):
    """Every gold and blind letter keeps its words, in order, under every rewrite but `ocr`."""
    changed = []
    for path in letter_paths():
        text = read_letter_text(path)
        paged = name in PAGED
        if words(REWRITES[name](text, seed=rewrites.letter_seed(path)), paged) != words(text, paged):
            changed.append(path.name)
    assert not changed, f"{name} changed the words of {changed}"


def test_ocr_changes_few_words_and_none_that_is_protected():
    for path in letter_paths():
        text = read_letter_text(path)
        protect = rewrites.protected_words({"decisions": [{"item": "Physical therapy"}]})
        out = words(ocr(text, seed=rewrites.letter_seed(path), protect=protect))
        before = words(text)
        assert len(out) >= len(before) * 0.95, path.name
        assert out.count("physical") == before.count("physical"), path.name
        for word in ("upheld", "overturned", "denied", "approved", "certified", "not", "medically", "necessary"):
            assert out.count(word) == before.count(word), (path.name, word)
