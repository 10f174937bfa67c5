"""Decision statements: every place a letter states the decision on an item, found by the decision cues of
`cues.py` in the letter's sentences (`flat.py`) and on its lines (labels, table rows, verdict lines), each
with its span, its strength, and the item or item number it names when it names one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cues import BY_NAME, CUES, VERDICT, ocr, polarity
from .flat import Flat, flat_sentences, is_furniture, iter_lines
from .text import clean_value

__all__ = ["Statement", "decision_statements"]


@dataclass
class Statement:
    """A statement of a decision: its span, the decision, how strong the cue is, and the item it names."""

    decision: str
    start: int
    end: int
    strength: int
    cue: str
    item: tuple[int, int] | None = None  # span of the item the statement names, if it names one
    number: int | None = None  # the item number it names ("Issue 2 Overturned")
    value: str | None = None  # the item's text when its span also holds other columns (a wrapped table row)


LABEL_LINE = re.compile(r"^[ \t]*[A-Z][A-Za-z /()'&]{2,40}:(?:\s|$)")
DETAIL_LABEL = re.compile(  # the labels of an item's details (OCR-tolerant: "Deterrnination", "Guide1ine")
    rf"^[ \t]*(?:(?:IMR\s+|Final\s+|Reviewer'?s?\s+|Expert\s+Reviewer'?s?\s+)?(?:{ocr('Decision')}|{ocr('Determination')}|Outcome|Result|"
    rf"Finding)|Claims\s+Administrator\s+{ocr('guideline')}|MAXIMUS\s+{ocr('guideline')}"
    rf"|{ocr('Guideline')}s?(?:\(s\))?(?:\s+{ocr('relied')}\s+upon|\s+used)?|{ocr('Rationale')}|Medical\s+Treatment\s+{ocr('Guideline')})",
    re.I)


_NOT_A_DECISION = re.compile(
    r"\b(?:would|could|might|may|if|unless|until|whether|once|should\s+(?:the|this|he|she))\b"
    r"|\b(?:UR|utilization\s+review(?:er)?|claims\s+administrator|peer\s+review(?:er)?|prior\s+reviewer|previous\s+reviewer"
    r"|initial\s+reviewer|non-?certified\s+the|modified\s+the|stated|opined|indicated\s+that|argued|noted\s+that)\b"
    r"|\bmeans?\b|=|\bat\s+least\s+one\b|\bnone\s+of\b|\bneither\b|\bany\s+of\s+the\b|\ball\s+(?:of\s+the\s+|the\s+)?(?:items|requests|treatments|services)\b|\bone\s+or\s+more\b|\bremaining\b|\beach\s+of\b|\ball\s+of\s+the\b|\bFinal\s+Determination\b"
    r"|\b(?:previously|prior\s+IMR|previous\s+IMR|earlier|in\s+the\s+past)\b"
    r"|IS/WAS|RATIONALE\s+FOR\s+WHY",  # the fixed heading of a medical professional review, whatever the outcome
    re.I,
)
_CONNECTIVE_LEAD = re.compile(
    r"^(?:\(?\d{1,2}[.)]\s*)?(?:(?:MAXIMUS\s+Federal\s+Services,?\s+Inc\.?|the\s+(?:expert\s+|physician\s+|IMR\s+)?reviewer|I|we)"
    r"\s+(?:\w+\s+){0,2}?(?:determined|determines|found|finds|find|concluded|concludes|conclude|agrees?|believes?)\s+(?:that\s+)?)?"
    r"(?:(?:therefore|thus|accordingly|consequently|as\s+such|hence|in\s+summary|in\s+conclusion|for\s+these\s+reasons|"
    r"based\s+on\s+[^,]{0,120}|given\s+[^,]{0,120}|at\s+this\s+time|in\s+this\s+case|overall),?\s+)*", re.I)
_SUBJECT_LEAD = re.compile(
    r"^(?:(?:the|this|that)\s+)?(?:(?:retrospective|prospective|current|proposed|present)\s+)?"
    r"(?:request(?:ed)?(?:\s+(?:for|of))?|requests\s+for|requested|ongoing\s+use\s+of|continued\s+use\s+of|use\s+of)\s*", re.I)
_GENERIC_SUBJECT = re.compile(
    r"^(?:(?:the|this|that|such|a)\s+)?(?:requested\s+)?(?:request|item|service|treatment|procedure|medication|prescription|"
    r"it|they|these|this|surgery|study|test|device)s?(?:\s+(?:at\s+issue|in\s+dispute|under\s+review|as\s+written|as\s+submitted))?$",
    re.I)
_SUBORDINATE = re.compile(r"(?:because|since|as(?!\s+such)|given\s+that|although|though|while|whereas|unless|if)\b", re.I)
_QUOTE = re.compile(r'"[^"]{0,600}"')


def _quoted(flat: Flat) -> list[tuple[int, int]]:
    return [m.span() for m in _QUOTE.finditer(flat.text)]


def _inside(spans: list[tuple[int, int]], pos: int) -> bool:
    return any(s < pos < e for s, e in spans)


def _sentence_of(bounds: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    lo, hi = 0, len(bounds)
    while lo < hi:
        mid = (lo + hi) // 2
        if bounds[mid][1] <= pos:
            lo = mid + 1
        else:
            hi = mid
    return bounds[lo] if lo < len(bounds) else (pos, pos)


def _subject(flat: Flat, sent_start: int, verb_start: int) -> tuple[int, int] | None:
    """The flat span of what a concluding sentence says is (not) necessary, when it names an item."""
    raw = flat.text[sent_start:verb_start]
    lead = _CONNECTIVE_LEAD.match(raw)
    s = sent_start + (lead.end() if lead else 0)
    sub = _SUBJECT_LEAD.match(flat.text, s, verb_start)
    if sub and sub.end() > s:
        s = sub.end()
    cut = max(flat.text.rfind(": ", s, verb_start) + 2, 0)
    if cut > s:
        s = cut
    req = list(re.finditer(r"\b(?:the\s+)?(?:request(?:ed)?\s+(?:for|of)|requested)\s+", flat.text[s:verb_start], re.I))
    if req:
        s += req[-1].end()
    text = flat.text[s:verb_start].strip(" ,")
    if len(text) < 3 or _GENERIC_SUBJECT.match(text) or len(text) > 220:
        return None
    return s, s + len(flat.text[s:verb_start].rstrip(" ,"))


def decision_statements(text: str, start: int = 0, end: int | None = None) -> list[Statement]:
    """Every statement of a decision in text[start:end], strongest cue first at each place."""
    end = len(text) if end is None else end
    flat = Flat.of(text, start, end)
    found = _flat_statements(text, flat) + _line_statements(text, start, end)
    found.sort(key=lambda s: (s.start, -s.strength, s.item is None))  # at one place, the cue that names its item
    kept: list[Statement] = []
    for st in found:  # one statement per place: the strongest cue that read it
        if kept and st.start < kept[-1].end and st.decision == kept[-1].decision:
            continue
        kept.append(st)
    return kept


def _flat_statements(text: str, flat: Flat) -> list[Statement]:
    bounds = list(flat_sentences(flat))
    quotes = _quoted(flat)
    out: list[Statement] = []
    for cue in CUES:
        if cue.family != "decision" or cue.where != "flat":
            continue
        for m in cue.pattern.finditer(flat.text):
            if _inside(quotes, m.start()):
                continue  # the UR reviewer's words, quoted
            s0, s1 = _sentence_of(bounds, m.start("v"))
            sentence = flat.text[s0:s1]
            item = None
            if cue.name in ("state_of_denial", "reviewer_certifies") and re.search(r"\bmeans?\b|=|\bif\b|\bwould\b", sentence):
                continue  # a legend ("UPHELD means the UR denial stands") or a hypothesis
            if cue.name in ("necessity", "request_status", "concluding_support", "necessity_established", "criteria"):
                colon = flat.text.rfind(": ", s0, m.start())
                if colon >= 0:
                    s0 = colon + 2  # "... set forth below: X is not medically necessary"
                lead = re.match(r"(?:however|moreover|furthermore|in\s+addition|also|and|but)\b,?\s*", flat.text[s0 : m.start()], re.I)
                if lead:
                    s0 += lead.end()
                head = flat.text[s0 : m.start()]
                sub = _SUBORDINATE.match(head)
                if sub:
                    comma = head.rfind(", ")
                    if comma < sub.end():
                        continue  # "Because the fusion is not medically necessary, ..." gives a reason
                    s0 += comma + 2
                    head = flat.text[s0 : m.start()]
                if _NOT_A_DECISION.search(head) or _NOT_A_DECISION.search(flat.text[m.start() : m.end()]):
                    continue
                if cue.name == "necessity" and re.search(r"\b(?:was|were|had\s+been|has\s+been)\s*$", head):
                    continue
                if cue.name in ("necessity", "criteria"):
                    item = _subject(flat, s0, m.start())
            elif cue.name == "answer":
                q0, q1 = _sentence_of(bounds, m.start())
                if not re.search(r"(?<![A-Za-z])(?:Is|Are|Was)\s", flat.text[q0:q1]):
                    continue
            elif cue.name in ("administrator", "reviewer_verb") and re.search(
                    r"\b(?:previous|prior|earlier|another)\s+(?:IMR|independent\s+medical\s+review)\b", sentence, re.I):
                continue
            v = m.group("v") or ""
            decision = "overturned" if v.lower() == "yes" else "upheld" if v.lower() == "no" else polarity(v)
            if cue.name in ("necessity_established", "concluding_support", "criteria"):
                decision = "upheld" if v.strip() else "overturned"
            elif cue.name == "necessity":
                decision = "upheld" if m.group("neg") else polarity(v)
            elif cue.name == "state_of_denial":
                if re.match(r"certification", m.group("noun"), re.I):
                    decision = "overturned" if re.search(r"granted|upheld|affirmed|sustained|stands", v, re.I) else "upheld"
                else:
                    decision = "overturned" if re.search(r"reversed|overturned", v, re.I) else "upheld"
            elif cue.name == "reviewer_certifies":
                decision = "upheld" if m.group("neg") else "overturned"
            elif cue.name == "recommendation":
                decision = "upheld" if re.search(r"non|denial", v, re.I) else "overturned"
            if "item" in cue.pattern.groupindex and m.group("item"):
                item = m.span("item")
            span = flat.span(*m.span("v")) if v.strip() else flat.span(m.start(), m.end())
            st = Statement(decision, span[0], span[1], cue.strength, cue.name, flat.span(*item) if item else None)
            if "num" in cue.pattern.groupindex:
                st.number = int(m.group("num"))
            out.append(st)
    return out


_SECTION_WORDS = re.compile(
    r"^(?:IMR\s+|UR\s+|Final\s+|Reviewer'?s?\s+)?(?:Decision|Determination|Outcome|Result|Treatment|Item|Service|Guideline|Request|Disputed)"
    r"(?:s|\(s\))?(?:[ \t/]+(?:Requested|in\s+Dispute|Service|Treatment|Item|Decision|Determination)s?)?[ \t]*$", re.I)


def _line_statements(text: str, start: int, end: int) -> list[Statement]:
    out: list[Statement] = []
    lines = [(s, e) for s, e in iter_lines(text, start, end)]
    for n, (s, e) in enumerate(lines):
        line = text[s:e]
        if not line.strip() or is_furniture(line):
            continue
        m = BY_NAME["verdict_first_line"].pattern.match(line)
        if (m and len(m.group("item").strip()) >= 3 and not _SECTION_WORDS.match(m.group("item").strip())
                and not re.search(r"\b(?:administrator|decision|determination|stands|means|denial|utilization|review)\b",
                                  m.group("item"), re.I)):
            out.append(Statement(polarity(m.group("v")), s + m.start("v"), s + m.end("v"), 3, "item_line",
                                 (s + m.start("item"), s + m.end("item"))))
            continue
        m = BY_NAME["numbered_verdict_line"].pattern.match(line)
        if m:
            out.append(Statement(polarity(m.group("v")), s + m.start("v"), s + m.end("v"), 3, "numbered_verdict_line",
                                 number=int(m.group("num"))))
            continue
        m = BY_NAME["verdict_line"].pattern.match(line)
        if m:
            prev = _prev_line(text, lines, n, skip_blank=_double_spaced(text, lines, n))
            # A verdict word alone on a line is a label only when it is capitalised and the line before
            # does not run into it (rewrapped prose can put "overturned." at the start of a line).
            if m.group("v")[:1].isupper() and (prev is None or not runs_on(prev) or m.group("v").isupper()):
                out.append(Statement(polarity(m.group("v")), s + m.start("v"), s + m.end("v"), 3, "verdict_line"))
            continue
        row = _pipe_row(text, lines, n) if line.count("|") >= 3 else None
        if row is not None:
            out.append(row)
            continue
        m = BY_NAME["item_line"].pattern.match(line)
        if m:
            item = m.group("item")
            lead = re.match(r"[ \t|]*(?:[-*\u2022][ \t]*|\(?(?:\d{1,2}|(?-i:[A-H]|[IVX]{1,4}))[.)][ \t]*|\d{1,2}[ \t]{2,})?"
                            r"(?:(?:Item|Issue|Request|Service|Treatment)[ \t]*#?[ \t]*\d{1,2}(?:[ \t]+of[ \t]+\d{1,2})?[ \t]*[:.)\-][ \t]*)?",
                            item, re.I)
            i0 = m.start("item") + (lead.end() if lead else 0)
            item_text = line[i0 : m.end("item")].strip()
            if (len(item_text) < 3 or _SECTION_WORDS.match(item_text) or re.search(r"[.;]\s*$|\bis\b|\bare\b|\bwas\b|[a-z]\.\s+[A-Z]", item_text)
                    or len(item_text) > 160 or (re.search(r"[a-z]", item_text) and not re.search(r"[ \t]{2,}|[:\-|]|\.{3,}|\?", line[m.end("item"):m.start("v")]) )):
                continue
            if DETAIL_LABEL.match(line):
                continue  # "Reviewer's decision:  Upheld - not medically necessary" is a label, not an item
            table = bool(re.match(r"[ \t]{2,}|[ \t]*\|", m.group("sep"))) or line.lstrip().startswith("|")
            item_start = s + i0 if table else _wrapped_start(text, lines, n, s + i0)
            item_end = s + m.end("item")
            value = None
            verdict = (m.start("v"), m.end("v"), m.group("v"))
            if table:
                for later in re.finditer(rf"(?<=[ \t|]{{2}})(?:{VERDICT})(?=[ \t]*(?:$|\||[ \t]{{2}}))", line[m.end("v"):], re.I):
                    off = m.end("v")
                    verdict = (off + later.start(), off + later.end(), later.group())  # the IMR column comes after UR's
                item_end, cells = _table_wrap(text, lines, n, item_end, m.start("v"), s)
                value = clean_value(" ".join([item_text] + cells).replace("|", " ")) if cells else None
            out.append(Statement(polarity(verdict[2]), s + verdict[0], s + verdict[1], 3, "item_line",
                                 (item_start, item_end), value=value))
    return out


_INTRO = re.compile(r"set\s+forth\s+below|were\s+in\s+dispute|following\s+(?:items|requests)|:\s*$|[.?!;]\s*$", re.I)


def _wrapped_start(text: str, lines: list[tuple[int, int]], n: int, start: int) -> int:
    """An item that wrapped onto its decision line from the line(s) above starts there."""
    k = n
    for _ in range(2):
        k -= 1
        if k >= 0 and not text[lines[k][0] : lines[k][1]].strip() and k - 1 >= 0 and \
                text[lines[k - 1][0] : lines[k - 1][1]].strip() and n - k == 1 and _double_spaced(text, lines, n):
            k -= 1  # double-spaced text
        if k < 0:
            break
        ls, le = lines[k]
        prev = text[ls:le]
        if (not prev.strip() or is_furniture(prev) or _INTRO.search(prev) or len(prev.strip()) > 120 or LABEL_LINE.match(prev)
                or BY_NAME["item_line"].pattern.match(prev) or BY_NAME["verdict_line"].pattern.match(prev)
                or prev.strip().isupper()):
            break
        start = ls + len(prev) - len(prev.lstrip())
    return start


def _double_spaced(text: str, lines: list[tuple[int, int]], n: int) -> bool:
    window = lines[max(0, n - 12) : n]
    blank = sum(1 for s, e in window if not text[s:e].strip())
    return blank >= len(window) // 2 - 1


_CELL_VERDICT = re.compile(rf"(?:(?:UR|utilization\s+review|IMR)\s+(?:decision|denial|determination)\s+)?(?P<v>{VERDICT})\.?", re.I)


def _cells(line: str, offset: int) -> list[tuple[int, int, str]]:
    """(start, end, text) of the cells of a '|' table row, offsets in the letter."""
    out, pos = [], 0
    for part in line.split("|"):
        stripped = part.strip()
        if stripped:
            lead = len(part) - len(part.lstrip())
            out.append((offset + pos + lead, offset + pos + lead + len(stripped), stripped))
        else:
            out.append((offset + pos, offset + pos, ""))
        pos += len(part) + 1
    return out


def _pipe_row(text: str, lines: list[tuple[int, int]], n: int) -> Statement | None:
    """A '| 2 | Docusate sodium 100 mg #60 | No | Upheld |' row: its item and its (last) decision cell."""
    s, e = lines[n]
    cells = _cells(text[s:e], s)
    verdicts = [i for i, c in enumerate(cells) if c[2] and _CELL_VERDICT.fullmatch(c[2])]
    if not verdicts:
        return None
    vi = verdicts[-1]
    names = [i for i, c in enumerate(cells[:vi]) if re.search(r"[A-Za-z]{3}", c[2]) and not _CELL_VERDICT.fullmatch(c[2])
             and not re.fullmatch(r"(?:yes|no|n/?a)\.?", c[2], re.I)]
    if not names:
        return None
    ii = max(names, key=lambda i: len(cells[i][2]))
    if _SECTION_WORDS.match(cells[ii][2]):
        return None
    value, end = [cells[ii][2]], cells[ii][1]
    for ls, le in lines[n + 1 : n + 4]:  # the item's cell wraps onto rows whose decision cell is empty
        more = _cells(text[ls:le], ls)
        if len(more) != len(cells) or more[vi][2] or not more[ii][2]:
            break
        value.append(more[ii][2])
        end = more[ii][1]
    m = _CELL_VERDICT.fullmatch(cells[vi][2])
    v0 = cells[vi][0] + m.start("v")
    return Statement(polarity(m.group("v")), v0, v0 + len(m.group("v")), 3, "item_line", (cells[ii][0], end),
                     value=clean_value(" ".join(value)) if len(value) > 1 else None)


def _prev_line(text: str, lines: list[tuple[int, int]], n: int, skip_blank: bool = False) -> str | None:
    for k, (s, e) in enumerate(reversed(lines[:n])):
        line = text[s:e]
        if not line.strip():
            if skip_blank and k == 0:
                continue
            return None
        if not is_furniture(line):
            return line
    return None


def runs_on(line: str) -> bool:
    """A line of prose whose sentence goes on to the next line."""
    stripped = line.rstrip()
    return len(stripped) >= 40 and not stripped.endswith((".", ":", "?", "!", ";")) and not stripped.isupper()


def _table_wrap(text: str, lines: list[tuple[int, int]], n: int, item_end: int, verdict_col: int,
                row_start: int) -> tuple[int, list[str]]:
    """Extend a table row's item text over the lines it wraps onto (cells left of the verdict column)."""
    item_col = item_end - row_start
    cells: list[str] = []
    for s, e in lines[n + 1 : n + 4]:
        line = text[s:e]
        if (not line.strip() or is_furniture(line) or BY_NAME["item_line"].pattern.match(line)
                or re.match(r"[ \t]*[+|]?[-=+]{3,}", line)):
            break
        cell = line[:verdict_col].rstrip(" |\t")
        rest = line[verdict_col:].strip(" |\t")
        if not cell.strip() or re.match(r"[ \t]*(?:\d{1,2}[.)]?[ \t]|[-*\u2022])", cell):
            break
        if len(line.rstrip()) > verdict_col + 2 and re.search(r"\S", line[max(0, verdict_col - 1) : verdict_col + 1]) and not rest:
            break
        if len(cell.strip()) > item_col + 10 and not rest and not line.startswith((" ", "|")):
            break  # prose under the table, not a wrapped cell
        item_end = s + len(cell)
        cells.append(cell.strip(" |\t"))
    return item_end, cells


# --- item announcements -------------------------------------------------------------------------
