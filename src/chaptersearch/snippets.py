"""Where a query's words fall in a passage: the moment they are said and the snippet.

The index gives the best passages; this finds, inside one, the cue where the first
matched word (or the first whole phrase) is said, and cuts a snippet around it with the
matched words marked, using the same analyzer as the index so stems line up.
"""

import functools
import re
from typing import Any

from whoosh import query as wq
from whoosh.lang.porter import stem

from .hit import Hit
from .schema import text_analyzer
from .youtube_urls import link_at

_WORD = re.compile(r"\w+(?:\.?\w+)*")
"""Whoosh's default tokenizer pattern, as the index uses."""
_stem = functools.lru_cache(maxsize=50_000)(stem)

SNIPPET_BEFORE = 60
SNIPPET_LENGTH = 220


class MatchLocator:
    """Finds where a query's words fall in a passage: the moment and the snippet."""

    def __init__(self, parsed: wq.Query) -> None:
        self.terms: set[str] = {
            text.decode() if isinstance(text, bytes) else str(text)
            for field, text in parsed.iter_all_terms()
            if field == "text"
        }
        self.phrases: list[list[str]] = [
            list(node.words)
            for node in _walk(parsed)
            if isinstance(node, wq.Phrase) and node.fieldname == "text"
        ]
        self.analyzer = text_analyzer()
        self.prefixes = {term[:2] for term in self.terms}

    def matches(self, text: str) -> tuple[int | None, list[tuple[int, int]]]:
        """The character offset where the first matched words begin, and every matched span."""
        if not self.phrases:
            spans = self._word_spans(text)
            return (spans[0][0] if spans else None), spans
        tokens = [
            (token.text, token.startchar, token.endchar)
            for token in self.analyzer(text, positions=True, chars=True, mode="index")
        ]
        spans = [(start, end) for word, start, end in tokens if word in self.terms]
        first: int | None = None
        words = [word for word, _, _ in tokens]
        for phrase in self.phrases:
            for index in range(len(words) - len(phrase) + 1):
                if words[index : index + len(phrase)] == phrase:
                    start = tokens[index][1]
                    first = start if first is None else min(first, start)
                    break
        if first is None and spans:
            first = spans[0][0]
        return first, spans

    def _word_spans(self, text: str) -> list[tuple[int, int]]:
        """Spans of the words whose stems are query terms.

        The quick path for queries without phrases: running the whole analyzer over
        every word of ten passages cost several milliseconds a search; a stem keeps its
        word's first two letters, so only words that start like a term are stemmed.
        """
        spans = []
        for match in _WORD.finditer(text):
            word = match.group().lower()
            if word[:2] in self.prefixes and _stem(word) in self.terms:
                spans.append(match.span())
        return spans

    def hit(self, rank: int, score: float, stored: dict[str, Any], more: int) -> Hit:
        meta = stored["meta"]
        text: str = stored["text"]
        first, spans = self.matches(text)
        start = cue_start_at(meta["offsets"], meta["starts"], first or 0)
        snippet, highlights = _snippet(text, first or 0, spans)
        return Hit(
            rank=rank,
            score=round(score, 4),
            video_id=stored["video"],
            episode_title=stored["episode_title"],
            channel=stored.get("channel", ""),
            chapter_title=stored["chapter"],
            chapter_start=meta["chapter_start"],
            chapter_source=meta["chapter_source"],
            start=start,
            url=link_at(meta["url"], start),
            snippet=snippet,
            highlights=highlights,
            more_in_chapter=more,
        )


def _walk(node: wq.Query) -> list[wq.Query]:
    found = [node]
    for child in node.children():
        found.extend(_walk(child))
    return found


def _snippet(
    text: str, around: int, spans: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """About ``SNIPPET_LENGTH`` characters of ``text`` around a match, cut at spaces."""
    begin = max(0, around - SNIPPET_BEFORE)
    if begin:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < around else begin
    end = min(len(text), begin + SNIPPET_LENGTH)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > around else end
    prefix = "…" if begin else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - begin
    highlights = [(s + shift, e + shift) for s, e in spans if s >= begin and e <= end]
    return f"{prefix}{text[begin:end]}{suffix}", highlights


def cue_start_at(offsets: list[int], starts: list[float], char_offset: int) -> float:
    """When the cue holding a character of a passage's text starts, given each cue's
    offset in the text and start time."""
    start = starts[0]
    for offset, cue_start in zip(offsets, starts, strict=True):
        if offset > char_offset:
            break
        start = cue_start
    return start
