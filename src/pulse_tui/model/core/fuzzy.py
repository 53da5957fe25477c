"""Fuzzy type-ahead for pickers: "chk" finds "checkout-api", best matches first."""

from __future__ import annotations

from collections.abc import Sequence

_SEPARATORS = frozenset("-_./: ")


def fuzzy_match(query: str, candidate: str) -> tuple[int, list[int]] | None:
    """(score, matched positions) when `query` is a case-insensitive subsequence of
    `candidate`, else None. Higher scores: contiguous runs, word starts, early matches."""
    if not query:
        return 0, []
    needle, hay = query.lower(), candidate.lower()
    # Greedy left-to-right finds *a* match cheaply; then, for each query character, prefer
    # a later occurrence that starts a word or continues a run (good enough for short names).
    positions: list[int] = []
    start = 0
    for ch in needle:
        found = hay.find(ch, start)
        if found < 0:
            return None
        positions.append(found)
        start = found + 1
    positions = _improve(needle, hay, positions)
    score = 0
    for i, pos in enumerate(positions):
        if pos == 0 or hay[pos - 1] in _SEPARATORS:
            score += 8  # word start: "ca" -> "Checkout-Api"
        if i and positions[i - 1] == pos - 1:
            score += 5  # contiguous run
    score -= positions[0]  # earlier is better
    score -= positions[-1] - positions[0] + 1 - len(positions)  # fewer gaps
    if hay == needle:
        score += 100
    elif hay.startswith(needle):
        score += 50
    return score, positions


def _improve(needle: str, hay: str, positions: list[int]) -> list[int]:
    """Move the match to a contiguous substring or word starts when one exists."""
    contiguous = hay.find(needle)
    if contiguous >= 0:
        word_start = _word_start_find(hay, needle)
        begin = word_start if word_start >= 0 else contiguous
        return list(range(begin, begin + len(needle)))
    out: list[int] = []
    start = 0
    for i, ch in enumerate(needle):
        best = -1
        limit = len(hay) - (len(needle) - i) + 1
        for pos in range(start, limit):
            if hay[pos] != ch:
                continue
            if best < 0:
                best = pos
            if pos == 0 or hay[pos - 1] in _SEPARATORS:
                best = pos
                break
            if out and pos == out[-1] + 1:
                best = pos
                break
        if best < 0:
            return positions
        out.append(best)
        start = best + 1
    return out


def _word_start_find(hay: str, needle: str) -> int:
    pos = hay.find(needle)
    while pos >= 0:
        if pos == 0 or hay[pos - 1] in _SEPARATORS:
            return pos
        pos = hay.find(needle, pos + 1)
    return -1


def fuzzy_filter(query: str, candidates: Sequence[str]) -> list[tuple[str, list[int]]]:
    """Candidates matching `query`, best first, each with positions to highlight.

    Ties keep shorter names first, then alphabetical. An empty query returns every
    candidate in its given order with no positions.
    """
    if not query:
        return [(c, []) for c in candidates]
    scored = []
    for candidate in candidates:
        result = fuzzy_match(query, candidate)
        if result is not None:
            scored.append((-result[0], len(candidate), candidate, result[1]))
    scored.sort(key=lambda item: item[:3])
    return [(candidate, positions) for _, _, candidate, positions in scored]
