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

from .announcements import (SECTIONISH, Anchor, dispute_list, find_anchors, numbered_line_start, plausible,
                            treatment_like, trim_item, similar)
from .cues import BY_NAME, VERDICT, polarity
from .flat import PLAIN, Flat
from .statements import DETAIL_LABEL, Statement, decision_statements
from .text import clean_value

__all__ = ["Anchor", "Reading", "Statement", "decision_statements", "read_items", "similar"]


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
    again = _undouble(single)  # double spacing of text that was double-spaced already
    if again is not None:
        single, inner = again
        pos = [pos[i] for i in inner]
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
    every = find_anchors(text, flat)
    strong_pos = {a.pos for a in every if a.cue in _STRONG}
    anchors = [a for a in every if a.cue in _STRONG]
    labels = [a for a in every if a.cue == "paragraph_label"]
    weak: dict[int, Anchor] = {}
    verdict_lines = {ls for ls in (text.rfind("\n", 0, st.start) + 1 for st in statements)
                     if DETAIL_LABEL.match(text, ls) or re.match(rf"[ \t]*(?:{VERDICT})", text[ls : ls + 60], re.I)}
    named_lines = {text.rfind("\n", 0, st.item[0]) + 1 for st in statements if st.item and st.cue == "item_line"}
    for a in sorted(every, key=lambda a: _WEAK.index(a.cue) if a.cue in _WEAK else 0):  # a numbered line first
        doses = sum(bool(re.search(r"\d\s*(?:mg|mcg|gm|ml)\b|#\s*\d", part, re.I)) for part in text[a.start : a.end].split(","))
        if (a.cue in _WEAK and a.pos not in strong_pos | named_lines and a.pos not in verdict_lines
                and plausible(text, a) and doses < 2):  # a line listing several drugs is a list, not a heading
            weak.setdefault(a.pos, a)
    listed = dispute_list(text)
    review: list[str] = []

    # Mentions of items: announcements, table/decision lines that name their item, the dispute list,
    # and the items that concluding sentences name ("Therefore, the request for X is not medically necessary").
    mentions: list[Anchor] = list(anchors)
    subjects: list[Anchor] = []
    for st in statements:
        if st.cue in ("item_line", "decision_on") and st.item:  # the statement names its item: it announces it too
            mentions.append(Anchor(st.item[0], st.item[0], st.item[1], "item_line", 3, value=st.value))
        elif st.item and st.strength >= 2:
            subjects.append(Anchor(st.item[0], st.item[0], st.item[1], "subject", 2))
    mentions = [a for a in mentions if plausible(text, a)]
    subjects = [a for a in subjects if plausible(text, a)]

    # A heading of a weaker shape (a numbered line, a line in capitals, a line on its own) announces an item
    # when a decision is stated under it, before the next heading.
    said = sorted(st.start for st in statements if st.cue != "item_line" and st.number is None)
    bounds = sorted(strong_pos | set(weak) | {a.pos for a in mentions})
    line_no = {a.pos: text.count("\n", 0, a.pos) for a in weak.values() if a.cue == "numbered_line"}
    in_list = {p for p, n in line_no.items() if {n - 1, n + 1} & set(line_no.values())}
    for a in sorted(weak.values(), key=lambda a: a.pos):
        value = clean_value(text[a.start : a.end])
        line_end = text.find("\n", a.pos)
        line_end = len(text) if line_end < 0 else line_end
        nxt = next((p for p in bounds if p > a.pos), len(text))
        heads = any(line_end <= p < nxt for p in said)
        near = any(line_end <= p < min(nxt, line_end + 200) for p in said)
        if a.pos in in_list and not near:
            labels.append(a)  # an entry of a list with no decision under it names an item announced elsewhere
            continue
        if (heads and (near or treatment_like(value)) and plausible(text, a) and not value.endswith(".")
                and not SECTIONISH.search(value)
                and len(value.split(": ", 1)[-1].split()) <= (16 if ": " not in value else 2) and len(value.split()) <= 18):
            mentions.append(a)
        else:
            labels.append(a)
    if not mentions and not listed and not subjects:
        mentions = [a for a in weak.values() if a.cue == "numbered_line" and plausible(text, a)]
    items: list[ReadItem] = []
    strong = bool(mentions or listed)
    for anchor in sorted(listed + mentions + subjects + labels, key=lambda a: (a.pos, a.cue == "paragraph_label")):
        s, e = trim_item(text, anchor.start, anchor.end)
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
        elif anchor.cue != "subject" or not strong or numbered_line_start(text, anchor.pos):
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
            name = st.value or _mention_text(text, *st.item)
            target = next((i for i in items if any(similar(name, _name(text, o)) for o in i.anchors)), None)
        if target is None and st.number is not None:
            target = by_number.get(st.number)
        if target is None and st.cue != "item_line":
            before = [item for pos, item in detailed if pos <= st.start]
            target = before[-1] if before else None
        if target is not None:
            target.statements.append(st)
        elif st.item is not None and st.strength >= 3:
            review.append(f"a decision on {st.value or _mention_text(text, *st.item)!r} was found but no such item was read")

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
