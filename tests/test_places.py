"""Places on the episode page: every place a query is said, at the caption the page
shows, whatever the length of the captions before it."""

from chaptersearch.models import Chapter, Cue, Episode, Origin
from chaptersearch.output.places import places_in
from chaptersearch.search.query import Matching


def test_places_after_a_caption_over_the_cut_length_point_at_the_right_caption() -> None:
    """An entry kept before long captions were cut holds a caption of 2,500 characters;
    the index cuts it in three, the page shows it whole: a place after it must name the
    page's caption (it had named one three further on, or raised IndexError)."""
    long_text = " ".join(["filler"] * 357)  # 2,499 characters
    cues = [Cue(start=0, end=30, text=long_text)]
    cues += [Cue(start=30 + 5 * n, end=35 + 5 * n, text=f"plain words {n}") for n in range(3)]
    cues.append(Cue(start=45, end=50, text="the keeper test at last"))
    episode = Episode.model_construct(
        id="old",
        origin=Origin(kind="file", location="/old.vtt"),
        title="Old",
        duration=50.0,
        chapters=[Chapter(title="All", start=0, end=50, source="file")],
        cues=cues,
    )
    matching = Matching()
    matching.add_sequence(("keeper", "test"), frozenset({0}))
    (place,) = places_in(episode, matching, clauses=1)
    assert (place.cue, place.start) == (4, 45.0)
    assert [(span.cue, span.start, span.end) for span in place.spans] == [(4, 4, 15)]
