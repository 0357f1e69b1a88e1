"""Chapters made from the talk when an episode has none, and chapter titles given
without times placed where each is discussed."""

import json
from pathlib import Path

import pytest

from chaptersearch.chapters.placing import place_titles
from chaptersearch.chapters.reading import generated_chapters, parse_chapter_titles
from chaptersearch.chapters.topics import (
    MAX_CHAPTER,
    METHOD,
    MIN_CHAPTER,
    cut_points,
    titles_for,
    topic_chapters,
)
from chaptersearch.library.home import Home
from chaptersearch.library.store import Library
from chaptersearch.models import Cue

from .conftest import Run
from .helpers import talk, vtt_text

TOPICS = [
    (
        "Kubernetes",
        "kubernetes clusters schedule pods on nodes and the kubelet restarts failed "
        "containers while helm charts describe the deployment",
    ),
    (
        "Sourdough",
        "sourdough bread needs a starter of flour and water fed daily, then the dough "
        "proofs overnight before baking in a hot dutch oven",
    ),
    (
        "Marathon",
        "marathon training means long runs on sunday, interval sessions on the track "
        "and easy miles so the legs recover before race day",
    ),
    (
        "Telescopes",
        "telescopes gather starlight with a mirror, the eyepiece magnifies saturn's rings "
        "and a dark sky away from city lights shows the milky way",
    ),
]
SPAN = 300.0
"""Each topic is talked about for five minutes, a caption every five seconds."""


def three_topics(topics: list[tuple[str, str]] = TOPICS) -> list[Cue]:
    cues = []
    for number, (_, text) in enumerate(topics):
        words = text.split()
        for step in range(int(SPAN // 5)):
            start = number * SPAN + step * 5
            said = " ".join(words[(step * 4) % len(words) :][:8])
            cues.append(Cue(start=start, end=start + 5, text=f"well {said} you know"))
    return cues


def test_cuts_fall_where_the_topic_changes_and_titles_name_it() -> None:
    cues = three_topics()
    duration = cues[-1].end
    chapters = topic_chapters(cues, duration)
    changes = [SPAN * k for k in range(1, len(TOPICS))]
    starts = [chapter.start for chapter in chapters[1:]]
    for change in changes:
        assert any(abs(start - change) <= 30 for start in starts), (change, starts)
    assert all(chapter.source == "generated" for chapter in chapters)
    assert chapters[0].start == 0 and chapters[-1].end == duration
    for chapter in chapters:
        topic = TOPICS[min(int((chapter.start + 30) // SPAN), len(TOPICS) - 1)]
        words = topic[1].split()
        assert any(word.lower() in chapter.title.lower() for word in words), chapter.title
        assert "Part" not in chapter.title


def test_chapters_have_sensible_lengths_and_the_same_talk_cuts_the_same() -> None:
    cues = [
        Cue(start=second, end=second + 4, text=f"topic {second // 700} words {second % 97}")
        for second in range(0, 3 * 3600, 4)
    ]
    chapters = topic_chapters(cues, 3 * 3600)
    lengths = [chapter.end - chapter.start for chapter in chapters]
    assert min(lengths) >= MIN_CHAPTER
    assert max(lengths) <= MAX_CHAPTER
    assert topic_chapters(cues, 3 * 3600) == chapters


def test_a_short_or_silent_episode_gets_one_titled_chapter() -> None:
    cues = [Cue(start=1, end=2, text="hello"), Cue(start=3, end=4, text="goodbye")]
    chapters = topic_chapters(cues, 4)
    assert len(chapters) == 1
    assert chapters[0].title == "Hello goodbye"  # the only phrase said
    nothing = topic_chapters([Cue(start=0, end=2, text="uh, yeah")], 2)
    assert [chapter.title for chapter in nothing] == ["0:00–0:02"]


def test_titles_given_without_times_are_placed_where_each_is_discussed() -> None:
    cues = three_topics()
    titles = ["Welcome", "Baking sourdough", "Training for a marathon", "Telescopes at night"]
    chapters = place_titles(titles, cues, cues[-1].end)
    assert [chapter.title for chapter in chapters] == titles
    assert chapters[0].start == 0
    for chapter, expected in zip(chapters[1:], (300, 600, 900), strict=True):
        assert abs(chapter.start - expected) <= 30, (chapter.title, chapter.start)


def test_a_list_of_topics_is_read_from_show_notes_bullets_and_plain_lines() -> None:
    notes = (
        "# Python Bytes 120\n\n**Brian #1:** [**Memorable Tech Talks**](https://x.test)\n"
        "- via someone\n\n**Michael #2:** Running Flask on Kubernetes\n- nested detail\n"
    )
    assert parse_chapter_titles(notes) == ["Memorable Tech Talks", "Running Flask on Kubernetes"]
    assert parse_chapter_titles("- One\n- Two\n  - nested\n") == ["One", "Two"]
    assert parse_chapter_titles("Intro\nThe keeper test\nWrap up\n") == [
        "Intro",
        "The keeper test",
        "Wrap up",
    ]
    prose = "We talk about things, " * 8 + "and no line of this is a title.\nAt all.\n"
    assert parse_chapter_titles(prose) == []


@pytest.fixture
def episode_file(tmp_path: Path) -> Path:
    path = tmp_path / "topics.vtt"
    cues = three_topics()
    path.write_text(vtt_text([(c.start, c.end, c.text) for c in cues]), encoding="utf-8")
    return path


def test_add_without_chapters_cuts_by_topic_and_says_so(run: Run, episode_file: Path) -> None:
    assert run("add", str(episode_file)).exit_code == 0
    result = run("search", "sourdough", "--json", "--limit", "1")
    hit = json.loads(result.stdout)[0]
    assert hit["chapter_source"] == "generated"
    assert abs(hit["chapter_start"] - SPAN) <= 30
    printed = run("search", "sourdough", "--limit", "1").stdout
    assert "made from the talk" in printed


def test_a_titles_only_chapters_file_is_placed_and_kept_as_the_users(
    run: Run, home: Home, episode_file: Path, tmp_path: Path
) -> None:
    listed = tmp_path / "topics.txt"
    listed.write_text("- Welcome\n- Sourdough bread\n- Marathon training\n- Telescopes\n")
    result = run("add", str(episode_file), "--chapters", str(listed))
    assert result.exit_code == 0, result.stderr
    episode = Library(home.library).load("topics")
    assert [c.title for c in episode.chapters] == [
        "Welcome",
        "Sourdough bread",
        "Marathon training",
        "Telescopes",
    ]
    assert all(c.source == "file" for c in episode.chapters)
    assert abs(episode.chapters[1].start - SPAN) <= 30


def test_edit_generate_chapters_forgets_the_users_and_cuts_again(
    run: Run, home: Home, episode_file: Path, tmp_path: Path
) -> None:
    timed = tmp_path / "timed.txt"
    timed.write_text("0:00 One\n10:00 Two\n")
    assert run("add", str(episode_file), "--chapters", str(timed)).exit_code == 0
    assert run("edit", "topics", "--generate-chapters").exit_code == 0
    episode = Library(home.library).load("topics")
    assert all(c.source == "generated" for c in episode.chapters)
    assert len(episode.chapters) >= 3
    assert episode.chapters_cut_by == METHOD


def test_rebuild_cuts_again_what_an_older_method_made_and_keeps_the_users(
    run: Run, home: Home, episode_file: Path, tmp_path: Path
) -> None:
    assert run("add", str(episode_file)).exit_code == 0
    library = Library(home.library)
    old = library.load("topics")
    spans = generated_chapters(old.duration)  # what chaptersearch made before
    library.save(old.model_copy(update={"chapters": spans, "chapters_cut_by": None}))
    other = tmp_path / "other.vtt"
    other.write_text(episode_file.read_text())
    timed = tmp_path / "timed.txt"
    timed.write_text("0:00 One\n10:00 Two\n")
    assert run("add", str(other), "--chapters", str(timed)).exit_code == 0

    assert run("rebuild").exit_code == 0
    again = library.load("topics")
    assert again.chapters_cut_by == METHOD
    assert [c.title for c in again.chapters] != [c.title for c in spans]
    assert [c.title for c in library.load("other").chapters] == ["One", "Two"]
    found = run("search", "telescopes", "--video", "topics", "--json", "--limit", "1")
    hit = json.loads(found.stdout)[0]
    assert hit["chapter_title"] == next(
        c.title for c in again.chapters if c.start <= hit["start"] < c.end
    )


def test_titles_skip_stammers_and_two_spellings_of_one_name() -> None:
    said = "the GC GC GC runs often. GIL and Gill again, the GIL and the GIL. GC GC GC. Pokémon"
    titles = titles_for([said, "other words entirely about databases and databases"])
    assert "GC GC" not in titles[0]
    assert not ("GIL" in titles[0] and "Gill" in titles[0])


def test_a_json_chapters_file_is_read_by_chapters_and_beside_its_transcript(
    run: Run, home: Home, episode_file: Path
) -> None:
    beside = episode_file.with_name("topics.chapters.json")
    beside.write_text(
        json.dumps(
            {
                "version": "1.2.0",
                "chapters": [
                    {"startTime": 0, "title": "Opener"},
                    {"startTime": 301.5, "title": "Bread"},
                    {"startTime": 600, "title": "Hidden", "toc": False},
                ],
            }
        )
    )
    result = run("add", str(episode_file.parent))  # the folder: one transcript, one chapters
    assert result.exit_code == 0, result.stderr
    assert "added 1 episode" in result.stderr
    episode = Library(home.library).load("topics")
    assert [(c.title, c.start, c.source) for c in episode.chapters] == [
        ("Opener", 0.0, "file"),
        ("Bread", 301.5, "file"),
    ]
    assert run("edit", "topics", "--chapters", str(beside), "--title", "T").exit_code == 0
    assert Library(home.library).load("topics").chapters[1].title == "Bread"


def test_a_title_made_from_the_talk_is_shown_but_not_searched(
    run: Run, home: Home, episode_file: Path
) -> None:
    from chaptersearch.index.writer import passage_documents

    assert run("add", str(episode_file)).exit_code == 0
    episode = Library(home.library).load("topics")
    documents = list(passage_documents(episode))
    # its words are the passage's own: a boosted title field would count them twice
    assert all(document["chapter"] == "" for document in documents)
    assert {document["meta"]["chapter_title"] for document in documents} == {
        chapter.title for chapter in episode.chapters
    }
    hit = json.loads(run("search", "telescopes", "--json", "--limit", "1").stdout)[0]
    assert hit["chapter_title"] in {chapter.title for chapter in episode.chapters}
    assert hit["matched"] == "words"


def test_a_list_of_titles_that_read_like_sentences_is_a_list_of_titles() -> None:
    """One real show's lists, one title a line: 1 in 5 had been refused as prose."""
    listed = "Welcome\nLet's talk!\nFake job postings?!\nI'm a cog.\nThe \"Keeper test\"\n"
    assert parse_chapter_titles(listed) == [
        "Welcome",
        "Let's talk!",
        "Fake job postings?!",
        "I'm a cog.",
        'The "Keeper test"',
    ]


def test_prose_is_refused_saying_why(run: Run, tmp_path: Path) -> None:
    transcript = tmp_path / "a.vtt"
    transcript.write_text(vtt_text(talk(300.0, {})), encoding="utf-8")
    notes = tmp_path / "notes.txt"
    notes.write_text("In this episode we talk about " + "many things " * 20 + "\n")
    result = run("add", str(transcript), "--chapters", str(notes))
    assert result.exit_code == 2
    assert "a line of 269 characters reads as prose, not a title" in result.stderr


def test_titles_without_times_keep_the_chapter_bound_and_say_what_was_left_out(
    run: Run, home: Home, tmp_path: Path
) -> None:
    """500 titles for a 4:50 episode: the first 200 are read and the first 29 placed
    (one chapter per 10 s on average, as every chapter list is bounded; they had been
    200 chapters 1-2 s apart), and the notes `add` and `show` print say so."""
    transcript = tmp_path / "short.vtt"
    transcript.write_text(vtt_text(talk(290.0, {})), encoding="utf-8")
    titles = tmp_path / "titles.txt"
    titles.write_text("".join(f"Topic number {n}\n" for n in range(1, 501)), encoding="utf-8")
    result = run("add", str(transcript), "--chapters", str(titles))
    assert result.exit_code == 0, result.stderr
    episode = Library(home.library).load("short")
    assert [chapter.title for chapter in episode.chapters] == [
        f"Topic number {n}" for n in range(1, 30)
    ]
    assert len(episode.chapters) <= 290 / 10
    said = (
        "read the first 200 of 500 topics: more than that is not a list of one episode's topics",
        "placed 29 of 200 topics: a 4:50 episode holds at most one chapter per 10 s on "
        "average; left out from 'Topic number 30' on",
    )
    for note in said:
        assert note in result.stderr and note in run("show", "short").stdout


def test_an_episode_of_no_length_says_its_titles_were_not_all_placed() -> None:
    from chaptersearch.models import Given
    from chaptersearch.sources.details import given_chapters

    cues = [Cue(start=0, end=0, text="hello")]
    placed = given_chapters(Given(chapter_titles=["One", "Two", "Three"]), 0.0, cues)
    assert placed is not None
    chapters, notes = placed
    assert [chapter.title for chapter in chapters] == ["One"]
    assert notes == [
        "placed 1 of 3 topics: a 0:00 episode holds at most one chapter per 10 s on "
        "average; left out from 'Two' on"
    ]


def test_lines_left_out_of_a_chapters_file_are_named(run: Run, home: Home, tmp_path: Path) -> None:
    """A line without a time in a file with times, and lines besides a list's items, are
    named in a note; a lone bullet among plain lines is a title like them."""
    transcript = tmp_path / "a.vtt"
    transcript.write_text(vtt_text(talk(600.0, {})), encoding="utf-8")
    timed = tmp_path / "timed.txt"
    timed.write_text("# Chapters\n0:00 Intro\nThe part in between\n5:00 Wrap up\n")
    result = run("add", str(transcript), "--chapters", str(timed))
    assert result.exit_code == 0, result.stderr
    note = "left out 1 line without a time: 'The part in between'"
    assert f"a: {note}" in result.stderr
    assert note in Library(home.library).load("a").chapter_notes
    from chaptersearch.chapters.reading import read_chapter_titles

    assert read_chapter_titles("Intro\n- The keeper test\nWrap up\n") == (
        ["Intro", "The keeper test", "Wrap up"],
        [],
    )
    assert read_chapter_titles("- One\n- Two\nOutro\nCredits\n  - nested\n") == (
        ["One", "Two"],
        ["left out 3 lines besides the list items: 'Outro' and 2 more"],
    )


def test_a_change_of_speaker_is_where_a_topic_is_likelier_to_start() -> None:
    """Talk of one vocabulary throughout (no valley of shared words to cut at), two
    speakers: the cut falls where the second takes over, and without names it does not."""
    said = "we keep talking about gardens and tomatoes and basil and watering the pots"
    named = [
        Cue(start=t, end=t + 10, text=said, speaker="Ann" if t < 330 else "Bob")
        for t in range(0, 600, 10)
    ]
    unnamed = [cue.model_copy(update={"speaker": None}) for cue in named]
    assert 330.0 in cut_points(named, 600.0)
    assert 330.0 not in cut_points(unnamed, 600.0)


def test_a_title_names_what_the_chapter_opens_with() -> None:
    """Two phrases said as often and as rarely: the one said in the chapter's first
    minute titles it."""
    opening = "welcome back, zebra crossing today. zebra crossing matters."
    later = "much later on we mention apple pie. apple pie again."
    titles = titles_for([f"{opening} {later}", "databases and databases"], [opening, ""])
    assert titles[0].startswith("Zebra crossing"), titles
