"""Structure parser: a `Letter` to a grounded `DecisionSummary`, with no LLM.

Stages: sections and layout (`sections`), item announcements (`items`), each item's
guidelines, rationale and reason (`blocks`), and case fields (`fields`).
"""

from __future__ import annotations

import re

from ..models import DecisionSummary, Grounded, ItemDecision, Letter, Span
from .blocks import find_guidelines, find_rationale, pick_reason, reviewer_guideline_span
from .fields import case_fields
from .general import Reading, decision_statements, read_items, similar
from .statements import DETAIL_LABEL
from .items import Announcement, find_announcements, merge_announcements, same_item
from .sections import Section, detect_layout, find_sections
from .text import clean_value, ground

__all__ = ["UNREAD", "decision_statements", "find_sections", "parse_letter"]

UNREAD = "the decisions could not be read: a person should read this letter"

_DECISION_SECTIONS = ("decisions", "issue at dispute")
_REGARDING = re.compile(r"(?m)^[ ]*(?:\d{1,2}[.)][ ]*)?Regarding\s+the\s+request(?:ed)?\s+(?:for\s+)?(?P<item>[^\n]{3,200}?)[ ]*:?[ ]*$",
                        re.I)


def _regions(sections: list[Section], names: tuple[str, ...]) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in sections if s.name in names]


def _announcements(text: str, sections: list[Section]) -> list[Announcement]:
    anns: list[Announcement] = []
    for start, end in _regions(sections, _DECISION_SECTIONS):
        anns += find_announcements(text, start, end)
    if anns:
        # The 2013 layout also lists the decisions at the top: merge those mentions in.
        header = sections[0]
        top = [a for a in find_announcements(text, header.start, header.end) if a.kind == "sentence"]
        return sorted(top + anns, key=lambda a: a.item_start)
    for start, end in _regions(sections, ("rationale", "header")):
        anns += find_announcements(text, start, end)
    if anns:
        return anns
    return find_announcements(text, 0, len(text))


def _section_at(sections: list[Section], pos: int) -> Section:
    for section in sections:
        if section.heading_start <= pos < section.end:
            return section
    return sections[-1]


def _split_by_items(text: str, section: Section, names: list[str]) -> list[tuple[int, int] | None]:
    """Split a section shared by all items (medical-professional-review) into per-item parts."""
    if len(names) == 1:
        return [(section.start, section.end)]
    starts: list[tuple[int, int]] = []  # (offset, item index)
    for match in re.finditer(r"(?m)^[ ]*(?:(?P<num>\d{1,2})[.)]|(?P<name>[^\n]{3,120}?)[ ]*:)", text[: section.end]):
        if match.start() < section.start:
            continue
        if match["num"] and 1 <= int(match["num"]) <= len(names):
            starts.append((match.start(), int(match["num"]) - 1))
        elif match["name"] and (index := _label_item(clean_value(match["name"]), names)) is not None:
            starts.append((match.start(), index))
    parts: list[tuple[int, int] | None] = [None] * len(names)
    for j, (pos, index) in enumerate(starts):
        end = starts[j + 1][0] if j + 1 < len(starts) else section.end
        if parts[index] is None:
            parts[index] = (pos, end)
    return parts


def _skip_item_label(text: str, start: int, end: int, name: str) -> int:
    """Skip a leading "1. Norco 10/325mg #120:" label of an item's part of a shared section."""
    match = re.match(r"[ \n]*(?:\d{1,2}[.)])?[ ]*(?P<label>[^\n:]{0,160}):", text[start:end])
    if match and (not match["label"].strip() or _label_item(clean_value(match["label"]), [name]) == 0):
        return start + match.end()
    match = re.match(r"[ \n]*\d{1,2}[.)]", text[start:end])
    return start + match.end() if match else start


def _label_item(label: str, names: list[str]) -> int | None:
    """The item a short label ("Naproxen", "Home exercise kit") names: all its words are the item's."""
    words = set(re.findall(r"[a-z0-9]+", label.lower())) - {"the", "a", "an", "request", "for"}
    if not words or len(label) > 120:
        return None
    best, best_score = None, 0
    for i, name in enumerate(names):
        if same_item(label, name):
            return i
        item_words = set(re.findall(r"[a-z0-9]+", name.lower()))
        if words <= item_words and len(words) > best_score:
            best, best_score = i, len(words)
    return best


def _item_blocks(text: str, sections: list[Section], groups: list[list[Announcement]], names: list[str]):
    """(start, end) of each item's guideline-and-rationale text."""
    boundaries = sorted({a.item_start for g in groups for a in g} | {s.heading_start for s in sections[1:]} | {len(text)})
    blocks: list[tuple[int, int]] = []
    for group in groups:
        last = group[-1]
        end = next(b for b in boundaries if b > last.end)
        blocks.append((last.end, end))
    for match in _REGARDING.finditer(text):  # 2013: "Regarding the request for X:" starts X's block
        for i, name in enumerate(names):
            if same_item(clean_value(match["item"]), name):
                end = next((b for b in boundaries if b > match.end()), len(text))
                nxt = _REGARDING.search(text, match.end(), end)
                blocks[i] = (match.end(), nxt.start() if nxt else end)
                break
    return blocks


def _fast_items(text: str, sections: list[Section]) -> list[ItemDecision]:
    """Today's layout readers: items announced the ways the four known layouts do; [] if none."""
    groups = merge_announcements(text, _announcements(text, sections))
    if not groups:
        return []
    names = [g[-1].item_text(text) for g in groups]
    blocks = _item_blocks(text, sections, groups, names)
    by_name = {s.name: s for s in sections}
    shared_guidelines = _split_by_items(text, by_name["guidelines"], names) if "guidelines" in by_name else None
    shared_rationale = _split_by_items(text, by_name["rationale"], names) if "rationale" in by_name else None

    items: list[ItemDecision] = []
    for index, (group, (b_start, b_end)) in enumerate(zip(groups, blocks), start=1):
        head = min(group, key=lambda a: (a.kind != "line", -a.item_start))  # the detailed mention
        head = group[-1] if head.kind != "line" else head
        item = ground(text, head.item_start, head.item_end)
        decision = Grounded(value=head.decision, quote=text[head.decision_start : head.decision_end],
                            span=Span(start=head.decision_start, end=head.decision_end))
        g_span = reviewer_guideline_span(text, b_start, b_end)
        if g_span is None and shared_guidelines:
            g_span = shared_guidelines[index - 1] if any(shared_guidelines) else (by_name["guidelines"].start,
                                                                                  by_name["guidelines"].end)
        guidelines = find_guidelines(text, *g_span) if g_span else []
        if not guidelines:
            guidelines = find_guidelines(text, b_start, b_end)
        guideline_text = ground(text, *g_span) if g_span and g_span[1] - g_span[0] > 2 else None
        r_span = (b_start, b_end)
        rationale = None
        if shared_rationale and len(clean_value(text[b_start:b_end])) < 40:
            # The rationale section holds every item's rationale: this item's part, or none if it has none.
            part = shared_rationale[index - 1] if any(shared_rationale) else (by_name["rationale"].start,
                                                                              by_name["rationale"].end)
            if part:
                rationale = find_rationale(text, _skip_item_label(text, *part, names[index - 1]), part[1])
        else:
            rationale = find_rationale(text, *r_span)
        if not guidelines and rationale and rationale.span:
            guidelines = find_guidelines(text, rationale.span.start, rationale.span.end)
        items.append(ItemDecision(index=index, item=item, decision=decision, guidelines=guidelines,
                                  guideline_text=guideline_text,
                                  rationale=rationale, reason=pick_reason(text, rationale)))
    return items


def _general_items(text: str, reading: Reading) -> list[ItemDecision]:
    """Items of the layout-independent reader, with the guidelines and rationale of each item's own part."""
    items: list[ItemDecision] = []
    for index, read in enumerate(reading.items, start=1):
        st = read.decision
        b_start, b_end = read.block
        g_span = reviewer_guideline_span(text, b_start, b_end)
        guidelines = find_guidelines(text, *g_span) if g_span else []
        if not guidelines:
            guidelines = find_guidelines(text, b_start, b_end)
        rationale = find_rationale(text, b_start, b_end) if b_end > b_start else None
        items.append(ItemDecision(
            index=index, item=ground(text, read.start, read.end, read.value),
            decision=Grounded(value=st.decision, quote=text[st.start : st.end], span=Span(start=st.start, end=st.end)),
            guidelines=guidelines,
            guideline_text=ground(text, *g_span) if g_span and g_span[1] - g_span[0] > 2 else None,
            rationale=rationale, reason=pick_reason(text, rationale)))
    return items


def _tighter_name(item: ItemDecision, general: list[ItemDecision]) -> ItemDecision:
    """The general reader's name of an item when the fast path's holds it and more (a label it read as the item)."""
    twin = next((g for g in general if similar(item.item.value, g.item.value)), None)
    if twin is not None and len(twin.item.value) < len(item.item.value) and twin.item.value in item.item.value:
        rest = item.item.value.replace(twin.item.value, " ")
        if DETAIL_LABEL.match(rest.strip()):  # "Lumbar ESI L4-L5 Deterrnination": the OCR'd label is not the item
            return item.model_copy(update={"item": twin.item})
    return item


def _agree(a: list[ItemDecision], b: list[ItemDecision]) -> bool:
    """The same items with the same decisions, in any order."""
    if len(a) != len(b):
        return False
    unused = list(b)
    for item in a:
        twin = next((o for o in unused if similar(item.item.value, o.item.value)), None)
        if twin is None or twin.decision.value != item.decision.value:
            return False
        unused.remove(twin)
    return True


def parse_letter(letter: Letter) -> DecisionSummary:
    """Parse a letter into its typed summary. A letter whose decisions cannot be read is still
    summarised (case fields, no items) and flagged for a person to read; it is never dropped."""
    text = letter.text
    sections = find_sections(text)
    layout = detect_layout(text)
    by_name = {s.name: s for s in sections}
    fast = _fast_items(text, sections)
    reading = read_items(text)
    general = _general_items(text, reading)
    review = list(reading.review)
    if fast and (not general or _agree(fast, general)):
        items, review = fast, [r for r in review if not r.startswith("no decision was found")] if _agree(fast, general) else review
        items = [_tighter_name(item, general) for item in items]
    elif general:
        items = general
        if fast:
            review.append("two readings of the letter disagree on its items or decisions")
    else:
        items = []
    narrative = by_name.get("case summary")
    quals = by_name.get("qualifications") or by_name.get("how the determination was made")
    fields = case_fields(
        text,
        (narrative.start, narrative.end) if narrative else (0, len(text)),
        (quals.start, quals.end) if quals else None,
    )
    case_number = fields.get("case_number")
    summary = DecisionSummary(
        letter_id=letter.letter_id,
        case_id=case_number.value if case_number else f"letter-{letter.letter_id}",
        source=letter.source,
        layout=layout,
        items=items,
        **fields,
    )
    if not items:
        summary.flag(UNREAD)
    for reason in review:
        summary.flag(reason)
    return summary
