"""Posting blocks as flat arrays (``index.codec``) read back exactly what whoosh3's own
layout holds, and an index of whoosh3's layout still reads."""

import random
from pathlib import Path
from typing import Any

import pytest
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher

from chaptersearch.index import writer
from chaptersearch.index.codec import BlockCodec, BlockLeafMatcher
from chaptersearch.index.schema import open_index
from chaptersearch.index.writer import IndexUpdater
from chaptersearch.search.engine import SearchRequest, search
from chaptersearch.sources.local import episode_from_file

from .helpers import given, skip_landings, talk, vtt_text

TERMS = ("that", "is", "number4", "topic", "here", "nothing")


def _build(folder: Path, tmp_path: Path, codec: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(writer.WRITER_OPTIONS, "codec", codec)
    with IndexUpdater(folder, commit_seconds=0) as updater:
        for number in range(6):  # a few hundred passages: several blocks per word
            path = tmp_path / f"show-{number}.vtt"
            said = {60.0 * k: f"topic number{number} here" for k in range(1, 50, 7)}
            path.write_text(vtt_text(talk(3600.0, said)), "utf-8")
            updater.replace(episode_from_file(path, given(channel="Show")))
        updater.remove("show-3")


def _postings(folder: Path) -> tuple[list[Any], list[type]]:
    """Every posting of some words (id, weight, value) and the leaf classes read."""
    ix = open_index(folder)
    found, kinds = [], []
    try:
        with ix.searcher() as searcher:
            for reader, offset in searcher.reader().leaf_readers():
                for term in TERMS:
                    if not reader.doc_frequency("text", term):
                        continue
                    matcher = reader.postings("text", term)
                    leaf = matcher
                    while hasattr(leaf, "child"):
                        leaf = leaf.child
                    kinds.append(type(leaf))
                    while matcher.is_active():
                        posting = (term, matcher.id() + offset, matcher.weight(), matcher.value())
                        found.append(posting)
                        matcher.next()
    finally:
        ix.close()
    return found, kinds


def _skips(folder: Path) -> list[list[int]]:
    ix = open_index(folder)
    try:
        with ix.searcher() as searcher:
            return skip_landings(searcher, TERMS[:4], random.Random(5))
    finally:
        ix.close()


def test_flat_blocks_hold_what_whoosh3_blocks_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    _build(ours, tmp_path, BlockCodec(), monkeypatch)
    _build(theirs, tmp_path, W3Codec(), monkeypatch)
    our_postings, our_kinds = _postings(ours)
    their_postings, their_kinds = _postings(theirs)
    assert len(our_postings) > 500  # several blocks of 128 for the commonest words
    assert our_postings == their_postings
    assert set(our_kinds) == {BlockLeafMatcher}
    assert BlockLeafMatcher not in their_kinds and W3LeafMatcher in their_kinds
    assert _skips(ours) == _skips(theirs)


def test_an_index_of_whoosh3_blocks_still_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A home written before this layout searches as before; the next merge rewrites
    its segments in the new one."""
    old = tmp_path / "old"
    _build(old, tmp_path, W3Codec(), monkeypatch)
    hits = search(old, SearchRequest("number4 topic"))
    assert hits and hits[0].video_id == "show-4"
    monkeypatch.setitem(writer.WRITER_OPTIONS, "codec", BlockCodec())
    path = tmp_path / "show-9.vtt"
    path.write_text(vtt_text(talk(600.0, {60.0: "topic number9 here"})), "utf-8")
    with IndexUpdater(old) as updater:
        updater.replace(episode_from_file(path, given(channel="Show")))
    assert search(old, SearchRequest("number9"))[0].video_id == "show-9"
    assert search(old, SearchRequest("number4 topic"))[0].video_id == "show-4"
