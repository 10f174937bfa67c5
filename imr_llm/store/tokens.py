"""The words BM25 counts: `tokenize` (lower-case tokens, lightly stemmed) and `lexical_text` (what is indexed
for a chunk). Used by the in-memory scoring of `imr_llm.store.retrieve` and the persisted corpus index of
`imr_llm.store.lexical`, so both count the same words.
"""

from __future__ import annotations

import re

__all__ = ["lexical_text", "tokenize"]

_STOP = frozenset(
    "a an and are as at be by for from has have he her his how in is it its of on or she that the this to was were "
    "what when which who why will with did does do i my me per any after before about into than then there their "
    "they them these those been being also such can could would should may might".split()
)
_TOKEN = re.compile(r"[a-z0-9]+(?:[/.-][a-z0-9]+)*")


def _stem(token: str) -> str:
    if len(token) > 5 and token.endswith("ing"):
        return token[:-3]
    if len(token) > 4 and token.endswith("ed") and not token.endswith("eed"):
        return token[:-2]
    if len(token) > 5 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens, lightly stemmed; compounds like hydrocodone/apap or 10/325mg are kept
    whole and their word parts added, so that exact drug strengths and drug names both match."""
    out = []
    for token in _TOKEN.findall(text.lower()):
        parts = re.split(r"[/.-]", token) if re.search(r"[/.-]", token) else []
        for word in [token] + [p for p in parts if p.isalpha() and len(p) > 2]:
            if word in _STOP or (len(word) == 1 and not word.isdigit()):
                continue
            out.append(_stem(word))
    return out


# An item chunk is indexed with its decision in the words a reader asks with ("Which items were approved?").
_DECISION_WORDS = {"upheld": "upheld denied", "overturned": "overturned approved authorized"}


def lexical_text(item: str | None, decision: str | None, text: str) -> str:
    """What BM25 indexes for a chunk: its item and decision words, then its text."""
    if not item:
        return text
    return f"{item} {_DECISION_WORDS.get(decision or '', '')} {text}"
