"""The layout-independent reader: item announcements and decision statements found by the
cues of `cues.py` anywhere in the letter, paired by what they name, then by order and
proximity, and reconciled with the dispute list and the overall Final Determination.

`read_items(text)` returns a `Reading`: the items in letter order, each with the span of
its announcement, its decision statement and the part of the letter that is its own,
and the reasons a person should check the result (`review`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cues import BY_NAME, CUES, VERDICT, ocr, polarity
from .flat import PLAIN, Flat, flat_sentences, is_furniture, iter_lines
from .text import clean_value

__all__ = ["Anchor", "Reading", "Statement", "decision_statements", "read_items"]


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


@dataclass
class Anchor:
    """An announcement of an item: where it sits and the span of the item text."""

    pos: int
    start: int
    end: int
    cue: str
    strength: int
    number: int | None = None
    listed: bool = False  # from the dispute list / a cover summary
    value: str | None = None  # the item's text, when not simply the cleaned span (table cells)


@dataclass
class ReadItem:
    start: int
    end: int
    anchors: list[Anchor]
    value: str | None = None
    statements: list[Statement] = field(default_factory=list)
    decision: Statement | None = None
    block: tuple[int, int] = (0, 0)


@dataclass
class Reading:
    items: list[ReadItem]
    overall: Statement | None
    review: list[str]


# Sentences that state no decision of this letter: hypotheses, reported speech of UR, definitions.
_NOT_A_DECISION = re.compile(
    r"\b(?:would|could|might|may|if|unless|until|whether|once|should\s+(?:the|this|he|she))\b"
    r"|\b(?:UR|utilization\s+review(?:er)?|claims\s+administrator|peer\s+review(?:er)?|prior\s+reviewer|previous\s+reviewer"
    r"|initial\s+reviewer|non-?certified\s+the|modified\s+the|stated|opined|indicated\s+that|argued|noted\s+that)\b"
    r"|\bmeans?\b|=|\bat\s+least\s+one\b|\bnone\s+of\b|\bneither\b|\bany\s+of\s+the\b|\ball\s+(?:of\s+the\s+|the\s+)?(?:items|requests|treatments|services)\b|\bone\s+or\s+more\b|\bremaining\b|\beach\s+of\b|\ball\s+of\s+the\b|\bFinal\s+Determination\b"
    r"|\b(?:previously|prior\s+IMR|previous\s+IMR|earlier|in\s+the\s+past)\b",
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
            elif cue.name == "recommendation":
                decision = "upheld" if re.search(r"non|denial", v, re.I) else "overturned"
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
        if m and len(m.group("item").strip()) >= 3 and not _SECTION_WORDS.match(m.group("item").strip()):
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
            if m.group("v")[:1].isupper() and (prev is None or not _runs_on(prev) or m.group("v").isupper()):
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
            if _DETAIL_LABEL.match(line):
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
        if (not prev.strip() or is_furniture(prev) or _INTRO.search(prev) or len(prev.strip()) > 120 or _LABEL_LINE.match(prev)
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


def _runs_on(line: str) -> bool:
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

_LIST_HEADING = re.compile(
    r"^[ \t]*(?=(?-i:[A-Z]))(?P<head>(?:Treatment|Item|Service|Issue|Request)(?P<pl1>\(?s\)?)?(?:/Services?)?\s+(?:in|at|under)\s+Dispute"
    r"(?:\s+Listed\s+on\s+(?:the\s+)?IMR\s+App\S*)?|Disputed\s+(?:Item|Service|Treatment)(?P<pl2>\(?s\)?)?(?:/Services?)?"
    r"|Requested\s+(?:Treatment|Service)(?P<pl3>\(?s\)?)?|Summary\s+of\s+(?:Determinations?|Decisions?))"
    r"(?![ \t]*(?:#|No\.?\s*)?\d)[ \t]*:?[ \t]*(?P<rest>(?![.,;])[^\n]*)$", re.I | re.M)
_LABEL_LINE = re.compile(r"^[ \t]*[A-Z][A-Za-z /()'&]{2,40}:(?:\s|$)")
_BULLET = re.compile(r"^[ \t]*(?:\(?(?P<num>\d{1,2})[.)]|[-*\u2022]|(?P<num2>\d{1,2})[ \t]{2,})[ \t]*")


def _split_inline(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An inline list of items: split at semicolons, or at commas when every part names a dose or count."""
    seg = text[start:end]
    for sep in (r";", r",(?=\s)"):
        parts = [(m.start(), m.end()) for m in re.finditer(rf"[^{sep[0]}]+", seg)]
        if sep == r";" and len(parts) > 1:
            break
        if sep != r";" and len(parts) > 1 and 2 * sum(bool(re.search(r"\d|#", seg[a:b])) for a, b in parts) >= len(parts):
            break
    else:
        parts = [(0, len(seg))]
    out = []
    for a, b in parts:
        part = seg[a:b]
        if len(part.strip()) >= 3:
            lead = len(part) - len(part.lstrip())
            out.append((start + a + lead, start + a + len(part.rstrip())))
    return out


_PROSE_LIST = re.compile(
    r"(?<![A-Za-z])(?-i:The)\s+(?:disputed|requested)\s+(?:items|treatments|services)(?:/services)?"
    r"(?:\s+(?:in|for)\s+this\s+(?:review|case|IMR))?\s+(?:are|were|include[sd]?)\s*:?\s+"
    r"(?P<list>(?![^.;]*\b(?:below|above|listed|following|provided|detailed|as\s+follows)\b)[^.;]{3,600}?(?:,|\s+and\s+)[^.;]{3,600}?)\.(?:\s|$)",
    re.I)


def _prose_list(text: str) -> list[Anchor]:
    """'The disputed items/services in this review are A, B, and C.'"""
    flat = Flat.of(text)
    out: list[Anchor] = []
    for m in _PROSE_LIST.finditer(flat.text):
        for part in re.finditer(r"(?:^|,\s*(?:and\s+)?|\s+and\s+)(?P<item>(?:(?!,\s|\s+and\s).)+)", m.group("list")):
            fs = m.start("list") + part.start("item")
            fe = m.start("list") + part.end("item")
            lead = re.match(r"(?:an?|the)\s+", flat.text[fs:fe], re.I)
            fs += lead.end() if lead else 0
            if fe - fs >= 3:
                s, e = flat.span(fs, fe)
                out.append(Anchor(s, s, e, "dispute_list", 2, listed=True))
    return out


def _dispute_list(text: str) -> list[Anchor]:
    """Items of a 'Treatment(s) in Dispute' list (or a cover summary), in order."""
    out: list[Anchor] = _prose_list(text)
    for m in _LIST_HEADING.finditer(text):
        rest = m.group("rest").strip()
        plural = bool(m["pl1"] or m["pl2"] or m["pl3"]) or not re.match(r"(?:Treatment|Item|Service|Disputed|Requested)", m["head"], re.I)
        if rest and not re.match(r"^(?:[A-Z &]+|(?:and|&)\s+[A-Za-z ]+)$", rest):
            if not plural:
                continue  # "Disputed Item: X" announces one item (the item_label cue reads it)
            end = m.end("rest")
            while text[m.start("rest"):end].rstrip().endswith(","):  # the inline list goes on below
                nl = text.find("\n", end + 1)
                nxt_end = len(text) if nl < 0 else nl
                if not text[end + 1 : nxt_end].strip():
                    break
                end = nxt_end
            for s, e in _split_inline(text, m.start("rest"), end):
                out.append(Anchor(s, s, e, "dispute_list", 2, listed=True))
            continue
        out += _list_entries(text, m.end() + 1)
    return out


def _list_entries(text: str, pos: int) -> list[Anchor]:
    entries: list[Anchor] = []
    blank = 0
    indent = None
    for s, e in iter_lines(text, pos):
        line = text[s:e]
        if not line.strip():
            blank += 1
            if entries or blank > 1:
                break
            continue
        if is_furniture(line):
            continue
        if re.match(r"^[ \t]*[-=+|]{3,}", line) or re.match(r"^[ \t]*(?:Item|#|No\.?)\b.*(?:Determination|Decision|Treatment)", line, re.I):
            continue  # table rules and headers
        if BY_NAME["verdict_line"].pattern.match(line):
            continue  # the decision of the entry above, on a line of its own
        if (BY_NAME["item_line"].pattern.match(line) or BY_NAME["item_label"].pattern.match(line)
                or BY_NAME["numbered_heading"].pattern.match(line) or _LABEL_LINE.match(line)):
            break  # the details begin (or a table the item_line cue reads)
        bullet = _BULLET.match(line)
        lead = len(line) - len(line.lstrip())
        if bullet is None and entries and (line[:1].islower() or (indent is not None and lead > indent)
                                             or line.lstrip()[:1].islower()):
            entries[-1].end = s + len(line.rstrip())  # a wrapped list entry
            continue
        if bullet is None and (len(line.strip()) > 140 or line.rstrip().endswith(".") and len(line.split()) > 12):
            break
        indent = lead if indent is None else indent
        body = s + (bullet.end() if bullet else lead)
        number = int(bullet["num"] or bullet["num2"]) if bullet and (bullet["num"] or bullet["num2"]) else None
        for ps, pe in _split_inline(text, body, s + len(line.rstrip())) if ";" in line else [(body, s + len(line.rstrip()))]:
            entries.append(Anchor(ps, ps, pe, "dispute_list", 2, number=number, listed=True))
        blank = 0
    return entries


def _anchors(text: str, flat: Flat) -> list[Anchor]:
    out: list[Anchor] = []
    lines = list(iter_lines(text))
    for cue in CUES:
        if cue.family != "item":
            continue
        if cue.where == "flat":
            for m in cue.pattern.finditer(flat.text):
                s, e = flat.span(*m.span("item"))
                out.append(Anchor(flat.span(m.start(), m.start() + 1)[0], s, e, cue.name, cue.strength))
            continue
        for n, (ls, le) in enumerate(lines):
            m = cue.pattern.match(text, ls, le)
            if not m:
                continue
            s, e = m.span("item")
            if cue.name == "numbered_heading" and not text[s:e].strip():
                nxt = next(((a, b) for a, b in lines[n + 1 : n + 3] if text[a:b].strip()), None)
                if nxt is None:
                    continue
                s, e = nxt
            if cue.name == "standalone" and not _stands_alone(text, lines, n):
                continue
            number = _number(m["num"]) if "num" in cue.pattern.groupindex and m["num"] else None
            out.append(Anchor(ls, s, e, cue.name, cue.strength, number))
    return out


_ITEM_LEAD = re.compile(
    r"[ \t|]*(?:\(?(?:\d{1,2}|(?-i:[A-H]|[IVX]{1,4}))[.)][ \t]*)?(?:(?:Item|Issue|Request(?:ed)?|Treatment|Service)[ \t]*(?:#?\d{1,2}(?:[ \t]+of[ \t]+\d{1,2})?)?[ \t]*:[ \t]*)?"
    r"(?:Is\s+(?:the\s+)?(?:request(?:ed)?\s+(?:(?:treatment|service|item)\s+)?(?:for\s+|of\s+)?|requested\s+))?", re.I)
_ITEM_TAIL = re.compile(
    rf"(?:,?\s+(?:is\s+|are\s+)?{ocr('medically necessary')}(?:\s+and\s+appropriate)?\s*\??)?"
    rf"(?:[ \t]*[:\-.?][ \t]*(?:{VERDICT}|Yes|No|Recommend(?:ed)?)[ \t]*\.?)?(?:[ \t]*[:\-.,;|?][ \t]*)*$", re.I)


_DETAIL_LABEL = re.compile(
    r"^[ \t]*(?:(?:IMR\s+|Final\s+|Reviewer'?s?\s+|Expert\s+Reviewer'?s?\s+)?(?:Decision|Determination|Outcome|Result|Finding)|Claims\s+Administrator\s+guideline|MAXIMUS\s+guideline"
    r"|Guidelines?(?:\s+relied\s+upon|\s+used)?|Rationale|Decision\s+rationale|Medical\s+Treatment\s+Guideline)", re.I)


def _stands_alone(text: str, lines: list[tuple[int, int]], n: int) -> bool:
    """A short line on its own: a blank line (or nothing) before it and text after it."""
    line = text[lines[n][0] : lines[n][1]].strip()
    if (line.endswith((".", ",", ";")) or len(line.split()) > 20 or _DETAIL_LABEL.match(line) or is_furniture(line)
            or re.match(r"(?:Dear|Sincerely|Re:|cc:|Respectfully|Enclosure)\b", line, re.I)):
        return False
    if n > 0 and text[lines[n - 1][0] : lines[n - 1][1]].strip():
        return False
    if re.search(r"\b(?:for|the|a|an|and|or|of|to|with|is|are|was|not|in|on|by|that|which|be|as|at|from)$", line, re.I):
        return False  # prose that wraps on, not a heading
    above = next((text[a:b] for a, b in reversed(lines[:n]) if text[a:b].strip() and not is_furniture(text[a:b])), "")
    if above and _runs_on(above) and re.search(r"[a-z,]$", above.rstrip()):
        return False  # a sentence interrupted by a page break goes on here
    following = [text[a:b] for a, b in lines[n + 1 : n + 3]]
    if following and following[0].strip() and (following[0].lstrip()[:1].islower() or len(line) >= 75):
        return False  # the first line of a paragraph, not a heading
    return any(f.strip() for f in following)


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}


def _number(label: str) -> int | None:
    """1 for "1", "A" or "I"; the position a list label gives."""
    if label.isdigit():
        return int(label)
    if label in _ROMAN and label not in ("C", "D"):
        return _ROMAN[label]
    return ord(label) - ord("A") + 1 if len(label) == 1 and label.isupper() else None


def _trim_item(text: str, start: int, end: int) -> tuple[int, int]:
    """An item span without label words, a question's frame, a trailing verdict, or stray punctuation."""
    lead = _ITEM_LEAD.match(text, start, end)
    s = lead.end() if lead else start
    tail = _ITEM_TAIL.search(text, s, end)
    e = tail.start() if tail and tail.start() > s else end
    while e > s and text[e - 1] in " \t\n|":
        e -= 1
    return s, e


def _norm(value: str) -> str:
    value = re.sub(r"^(?:the\s+)?(?:retrospective\s+|prospective\s+)?(?:request(?:ed)?\s+(?:for\s+)?)", "", value, flags=re.I)
    return re.sub(r"[^a-z0-9/%#.]+", " ", value.lower()).strip(" .")


def similar(a: str, b: str) -> bool:
    """Two mentions of one item: numbers (doses, counts) agree and the words mostly do."""
    from rapidfuzz import fuzz

    a, b = _norm(a), _norm(b)
    if not a or not b:
        return False
    if a == b:
        return True
    na, nb = re.findall(r"\d+(?:\.\d+)?", a), re.findall(r"\d+(?:\.\d+)?", b)
    if na and nb and na != nb and not (set(na) <= set(nb) or set(nb) <= set(na)):
        return False
    if na != nb and (na and nb):
        # "Norco 10/325mg #60" vs "#120": one mention lacks a number the other has
        if set(na) ^ set(nb) and min(len(na), len(nb)) >= 2:
            return False
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 6 and re.search(r"(?<![a-z0-9])" + re.escape(short) + r"(?![a-z0-9])", long_):
        return True
    return fuzz.token_set_ratio(a, b) >= 85 and fuzz.partial_ratio(a, b) >= 80


# --- pairing -------------------------------------------------------------------------------------

_MAIN_CUES = ("item_line", "numbered_heading", "item_label", "question", "regarding")


def _overall(text: str, flat: Flat) -> Statement | None:
    m = None
    for m in BY_NAME["final_determination"].pattern.finditer(flat.text):
        break
    if m is None:
        return None
    s, e = flat.span(*m.span("v"))
    return Statement(polarity(m.group("v")), s, e, 3, "final_determination")


def _mention_text(text: str, start: int, end: int) -> str:
    return clean_value(text[start:end])


def _name(text: str, anchor: Anchor) -> str:
    return anchor.value or clean_value(text[anchor.start : anchor.end])


def _undouble(text: str) -> tuple[str, list[int]] | None:
    """Double-spaced text (a blank line after every line, as PDF extraction gives) without the extra blank
    lines, with the offset in `text` of each character; None when the text is not double-spaced."""
    lines = text.split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    followed = sum(1 for i in nonblank if i + 1 < len(lines) and not lines[i + 1].strip())
    if len(nonblank) < 8 or followed < 0.7 * len(nonblank):
        return None
    chars: list[str] = []
    pos: list[int] = []
    offset = 0
    run = 0  # blank lines so far in the current run: a run of r blank lines stands for r // 2 of the letter's
    keep: list[bool] = []
    for i, line in enumerate(lines):
        if line.strip():
            run = 0
            keep.append(True)
            continue
        run += 1
        end = i + 1 >= len(lines) or lines[i + 1].strip()
        if end:
            n = run // 2
            keep[len(keep) - run + 1 :] = []
            keep += [False] * (run - n) + [True] * n
        else:
            keep.append(False)
    for i, line in enumerate(lines):
        drop = not keep[i]
        if not drop:
            chars.extend(line)
            pos.extend(range(offset, offset + len(line)))
            if i + 1 < len(lines):
                chars.append("\n")
                pos.append(offset + len(line))
        offset += len(line) + 1
    pos.append(len(text))
    return "".join(chars), pos


def read_items(text: str) -> Reading:
    """Items and their decisions, read from cues anywhere in the letter (double spacing undone first)."""
    text = text.translate(PLAIN)  # typographic quotes and dashes as ASCII: same length, same offsets
    undoubled = _undouble(text)
    if undoubled is None:
        return _read(text)
    single, pos = undoubled
    reading = _read(single)

    def span(s: int, e: int) -> tuple[int, int]:
        return (pos[s], pos[e - 1] + 1) if e > s else (pos[s], pos[s])

    def move(obj) -> None:
        obj.start, obj.end = span(obj.start, obj.end)
        if isinstance(obj, Anchor):
            obj.pos = pos[obj.pos]
        elif obj.item is not None:
            obj.item = span(*obj.item)

    moved: set[int] = set()
    for item in reading.items:
        item.start, item.end = span(item.start, item.end)
        item.block = span(*item.block)
        for obj in [*item.anchors, *item.statements]:
            if id(obj) not in moved:
                moved.add(id(obj))
                move(obj)
    if reading.overall is not None:
        move(reading.overall)
    return reading


_STRONG = ("numbered_heading", "item_label", "question", "regarding", "with_respect_to")
_WEAK = ("numbered_line", "caps_heading", "standalone")


def _read(text: str) -> Reading:
    flat = Flat.of(text)
    statements = decision_statements(text)
    every = _anchors(text, flat)
    strong_pos = {a.pos for a in every if a.cue in _STRONG}
    anchors = [a for a in every if a.cue in _STRONG]
    labels = [a for a in every if a.cue == "paragraph_label"]
    weak: dict[int, Anchor] = {}
    verdict_lines = {ls for ls in (text.rfind("\n", 0, st.start) + 1 for st in statements)
                     if _DETAIL_LABEL.match(text, ls) or re.match(rf"[ \t]*(?:{VERDICT})", text[ls : ls + 60], re.I)}
    for a in sorted(every, key=lambda a: _WEAK.index(a.cue) if a.cue in _WEAK else 0):  # a numbered line first
        if a.cue in _WEAK and a.pos not in strong_pos and a.pos not in verdict_lines and _plausible(text, a):
            weak.setdefault(a.pos, a)
    listed = _dispute_list(text)
    review: list[str] = []

    # Mentions of items: announcements, table/decision lines that name their item, the dispute list,
    # and the items that concluding sentences name ("Therefore, the request for X is not medically necessary").
    mentions: list[Anchor] = list(anchors)
    subjects: list[Anchor] = []
    for st in statements:
        if st.cue == "item_line" and st.item:
            mentions.append(Anchor(st.item[0], st.item[0], st.item[1], "item_line", 3, value=st.value))
        elif st.item and st.strength >= 2:
            subjects.append(Anchor(st.item[0], st.item[0], st.item[1], "subject", 2))
    mentions = [a for a in mentions if _plausible(text, a)]
    subjects = [a for a in subjects if _plausible(text, a)]

    # A heading of a weaker shape (a numbered line, a line in capitals, a line on its own) announces an item
    # when a decision is stated under it, before the next heading.
    said = sorted(st.start for st in statements if st.cue != "item_line" and st.number is None)
    bounds = sorted(strong_pos | set(weak) | {a.pos for a in mentions})
    for a in sorted(weak.values(), key=lambda a: a.pos):
        value = clean_value(text[a.start : a.end])
        line_end = text.find("\n", a.pos)
        line_end = len(text) if line_end < 0 else line_end
        nxt = next((p for p in bounds if p > a.pos), len(text))
        heads = any(line_end <= p < nxt for p in said)
        near = any(line_end <= p < min(nxt, line_end + 200) for p in said)
        if (heads and (near or _treatment_like(value)) and _plausible(text, a) and not value.endswith(".")
                and not _SECTIONISH.search(value)
                and len(value.split(": ", 1)[-1].split()) <= (16 if ": " not in value else 2) and len(value.split()) <= 18):
            mentions.append(a)
        else:
            labels.append(a)
    if not mentions and not listed and not subjects:
        mentions = [a for a in weak.values() if a.cue == "numbered_line" and _plausible(text, a)]
    items: list[ReadItem] = []
    strong = bool(mentions or listed)
    for anchor in sorted(listed + mentions + subjects + labels, key=lambda a: (a.pos, a.cue == "paragraph_label")):
        s, e = _trim_item(text, anchor.start, anchor.end)
        if e - s < 3:
            continue
        anchor.start, anchor.end = s, e
        name = _name(text, anchor)
        twins = [item for item in items if any(similar(name, _name(text, o)) for o in item.anchors)]
        if len(twins) > 1 and anchor.cue in ("dispute_list", "subject", "paragraph_label", *_WEAK):
            continue  # a mention that covers several items (a list, "the requests") names none of them
        if twins:
            twins[0].anchors.append(anchor)
        elif anchor.cue in ("paragraph_label", *_WEAK) and not any(anchor is a for a in mentions):
            continue  # a short label names an item announced elsewhere, never a new one
        elif anchor.cue != "subject" or not strong or _numbered_line_start(text, anchor.pos):
            items.append(ReadItem(s, e, [anchor]))
    # Numbers: an item announced as "Issue 2" is item 2.
    by_number = {}
    for item in items:
        for a in item.anchors:
            if a.number is not None:
                by_number.setdefault(a.number, item)
    if not by_number and listed:
        by_number = {n + 1: item for n, item in enumerate(i for i in items if any(a.listed for a in i.anchors))}

    # Where each item's own part of the letter begins: its detailed (not listed) mentions.
    detailed = sorted(((a.pos, item) for item in items for a in item.anchors if not a.listed), key=lambda p: p[0])
    if not detailed:
        detailed = sorted(((a.pos, item) for item in items for a in item.anchors), key=lambda p: p[0])
    for st in statements:
        target = None
        if st.item is not None:
            name = _mention_text(text, *st.item)
            target = next((i for i in items if any(similar(name, _name(text, o)) for o in i.anchors)), None)
        if target is None and st.number is not None:
            target = by_number.get(st.number)
        if target is None and st.cue != "item_line":
            before = [item for pos, item in detailed if pos <= st.start]
            target = before[-1] if before else None
        if target is not None:
            target.statements.append(st)

    kept: list[ReadItem] = []
    for item in items:
        if not item.statements:
            name = _mention_text(text, item.start, item.end)
            review.append(f"no decision was found for {name!r}")
            continue
        top = max(st.strength for st in item.statements)
        best = [st for st in item.statements if st.strength == top]
        named = [st for st in best if st.item is not None or st.number is not None] or best
        choice = named[-1]
        if len({st.decision for st in best}) > 1:
            name = _mention_text(text, item.start, item.end)
            review.append(f"two statements about {name!r} disagree; read as {choice.decision}")
        if top < 2:
            review.append(f"the decision on {_mention_text(text, item.start, item.end)!r} rests on a weak cue")
        item.decision = choice
        main = sorted(item.anchors, key=lambda a: (a.listed, -a.strength, a.pos))[0] if item.anchors else None
        if main is not None:
            item.start, item.end, item.value = main.start, main.end, main.value
        kept.append(item)
    _blocks(text, kept, detailed)
    overall = _overall(text, flat)
    if overall is not None and kept:
        decisions = {i.decision.decision for i in kept}
        if overall.decision == "upheld" and "overturned" in decisions:
            review.append("the Final Determination says UPHELD but an item was overturned")
        if overall.decision == "overturned" and "overturned" not in decisions:
            review.append("the Final Determination says OVERTURN but no item was read as overturned")
    return Reading(kept, overall, review)


_TREATMENT = re.compile(
    r"therap|MRI|CT\b|X-?RAY|EMG|NCV|inject|block|ablation|surgery|arthroscop|fusion|replacement|repair|consult|"
    r"program|\bunit\b|brace|orthosis|collar|membership|aide|health|screen|test|study|acupunct|chiroprac|manipulat|"
    r"\d+\s*(?:mg|mcg|gm?|ml|%)|#\s*\d+|patch|cream|tablet|capsule|session|visit|TENS|H-?wave|stimulat|evaluation|"
    r"imaging|scan|device|equipment|supplies|\bDME\b|biofeedback|psycho|cognitive|polysomnograph|sleep",
    re.I)


_SECTIONISH = re.compile(
    r"\b(?:DETERMINATION|DECISION|RATIONALE|SUMMARY|GUIDELINE|REVIEWER|APPEAL|DOCUMENT|HISTORY|DIAGNOS[EI]S|"
    r"QUALIFICATION|MAXIMUS|NOTICE|APPEAL\s+RIGHT|DISPUTE|INFORMATION|EXAMINATION|RECORD|FINDING|ISSUE|CONCLUSION|DISCUSSION|"
    r"ANALYSIS|BACKGROUND|ASSESSMENT|INTRODUCTION|PURPOSE|PROVIDER|PHYSICIAN|WORKER|EMPLOYEE|EMPLOYER|ADMINISTRATOR|"
    r"CLAIM|APPLICANT|DATE\s+OF|CASE\s+(?:NO|NUMBER))S?\b"
    r"|^(?:MAXIMUS|This\s+letter|The\s+(?:expert|physician|professional)\s+reviewer)\b", re.I)


def _treatment_like(value: str) -> bool:
    return bool(_TREATMENT.search(value)) and not _SECTIONISH.search(value)


def _numbered_line_start(text: str, pos: int) -> bool:
    line = text[text.rfind("\n", 0, pos) + 1 : pos]
    return bool(re.fullmatch(r"[ \t]*(?:\(?\d{1,2}[.)]|[-*\u2022])[ \t]*(?:the\s+request\s+for\s+)?", line, re.I))


def _plausible(text: str, anchor: Anchor) -> bool:
    value = _mention_text(text, anchor.start, anchor.end)
    if not (3 <= len(value) <= 220) or not re.search(r"[A-Za-z]{2}", value):
        return False
    if re.match(r"(?:the\s+)?(?:final\s+)?(?:determination|decision|outcome|result|date|guideline|rationale|page)\b", value, re.I):
        return False
    if re.fullmatch(VERDICT + r"\W*", value, re.I) or re.match(
            r"(?:MTUS|ODG|ACOEM|Official\s+Disability|Chronic\s+Pain\s+Medical|American\s+College|Non-MTUS)\b", value, re.I):
        return False
    return True


def _blocks(text: str, items: list[ReadItem], detailed: list[tuple[int, ReadItem]]) -> None:
    """Each item's own part of the letter: from its heading to the next item's, or, for an item named only
    in its concluding sentence, the paragraph that concludes."""
    starts = sorted({pos for pos, _ in detailed if not any(a.pos == pos and a.cue == "subject" for a in _.anchors)})
    for item in items:
        d = item.decision.start if item.decision is not None else item.start
        heads = [a.pos for a in item.anchors if not a.listed and a.cue != "subject" and a.pos <= d]
        if heads:
            begin = max(heads)
            end_line = text.find("\n", begin)
            begin = len(text) if end_line < 0 else end_line + 1
            nxt = next((p for p in starts if p > begin), len(text))
            item.block = (begin, max(begin, nxt))
            continue
        gap = list(re.finditer(r"\n[ \t]*\n", text[:d]))
        begin = gap[-1].end() if gap else 0
        after = re.search(r"\n[ \t]*\n", text[d:])
        item.block = (begin, d + after.start() if after else len(text))
