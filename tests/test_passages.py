from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from chaptersearch.chapters.reading import generated_chapters
from chaptersearch.index.passages import TARGET_SECONDS, passages_of
from chaptersearch.models import Chapter, Cue, Episode, Origin
from chaptersearch.search.snippets import cue_at


def episode(cues: list[Cue], chapters: list[Chapter]) -> Episode:
    return Episode(
        id="ep",
        title="Episode",
        duration=max(cue.end for cue in cues),
        chapters=chapters,
        cues=cues,
        origin=Origin(kind="file", location="ep.vtt"),
    )


def steady(seconds: int, step: int = 5) -> list[Cue]:
    return [Cue(start=t, end=t + step, text=f"word{t}") for t in range(0, seconds, step)]


def test_passages_stay_inside_chapters() -> None:
    chapters = [
        Chapter(title="A", start=0, end=100, source="file"),
        Chapter(title="B", start=100, end=300, source="file"),
    ]
    passages = passages_of(episode(steady(300), chapters))
    for passage in passages:
        chapter = chapters[passage.chapter_index]
        assert all(chapter.start <= start < chapter.end for start in passage.cue_starts)
    assert {p.chapter_index for p in passages} == {0, 1}


def test_passages_overlap_by_one_cue_and_span_under_the_target() -> None:
    chapters = [Chapter(title="A", start=0, end=200, source="file")]
    passages = passages_of(episode(steady(200), chapters))
    assert len(passages) > 2
    for earlier, later in pairwise(passages):
        assert later.cue_starts[0] == earlier.cue_starts[-1]
    assert all(p.cue_starts[-1] - p.cue_starts[0] < TARGET_SECONDS for p in passages)
    assert max(p.cue_starts[-1] - p.cue_starts[0] for p in passages) >= TARGET_SECONDS - 5
    assert passages[0].text.startswith("word0 word5 ")
    covered = {start for p in passages for start in p.cue_starts}
    assert covered == {float(t) for t in range(0, 200, 5)}


def test_long_cues_still_progress() -> None:
    cues = [Cue(start=t, end=t + 100, text=f"long{t}") for t in range(0, 500, 100)]
    passages = passages_of(episode(cues, [Chapter(title="A", start=0, end=500, source="file")]))
    assert [p.cue_starts for p in passages] == [[0], [0, 100], [100, 200], [200, 300], [300, 400]]


def test_cue_at() -> None:
    chapters = [Chapter(title="A", start=0, end=200, source="file")]
    passage = passages_of(episode(steady(30), chapters))[0]
    offset = passage.text.index("word15")
    assert passage.cue_starts[cue_at(passage.cue_offsets, offset)] == 15
    assert passage.cue_starts[cue_at(passage.cue_offsets, 0)] == 0


@given(st.lists(st.floats(min_value=0, max_value=2000, allow_nan=False), min_size=1, max_size=80))
def test_every_cue_lands_in_some_passage(times: list[float]) -> None:
    cues = [Cue(start=t, end=t + 1, text=f"w{i}") for i, t in enumerate(sorted(times))]
    ep = episode(cues, generated_chapters(max(c.end for c in cues)))
    passages = passages_of(ep)
    words = {word for p in passages for word in p.text.split()}
    assert words == {cue.text for cue in cues}
