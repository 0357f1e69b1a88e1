"""The ``chaptersearch`` command line: thin commands over the modules that do the work.

Exit codes follow ripgrep: 0 when a search finds hits (or a command succeeds), 1 when
a search finds none, 2 on any error. Errors are one line on stderr; a traceback only
with ``--debug``.
"""

import functools
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from .errors import ChapterSearchError
from .home import Home, resolve_home

app = typer.Typer(
    help="Chapter-aware search for long video and podcast transcripts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_state: dict[str, Any] = {"home": None, "debug": False}

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> typer.Exit:
    typer.echo(f"chaptersearch: {message}", err=True)
    return typer.Exit(2)


def warn(message: str) -> None:
    typer.echo(f"chaptersearch: warning: {message}", err=True)


def friendly(command: F) -> F:
    """Turn any failure into one line on stderr and exit 2, unless ``--debug``."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except ChapterSearchError as error:
            if _state["debug"]:
                raise
            raise fail(str(error)) from None
        except KeyboardInterrupt:
            raise fail("interrupted") from None
        except Exception as error:
            if _state["debug"]:
                raise
            raise fail(
                f"unexpected {type(error).__name__}: {error} (run with --debug for details)"
            ) from None

    return wrapper  # type: ignore[return-value]


def home() -> Home:
    resolved: Home = _state["home"] or resolve_home(None)
    return resolved


@app.callback()
def configure(
    home_option: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Folder for library and index "
            "[default: $CHAPTERSEARCH_HOME, ./index, or the user data folder]",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    _state["debug"] = debug
    _state["home"] = resolve_home(home_option)


def _parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    raise fail(f"--published {text!r}: use YYYY-MM-DD")


@app.command()
@friendly
def add(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Transcript files (.vtt, .srt, .json), YouTube video URLs or ids, "
            "playlist or channel URLs"
        ),
    ],
    title: Annotated[str | None, typer.Option(help="Episode title (files)")] = None,
    url: Annotated[
        str | None, typer.Option(help="Where a file's episode plays; a YouTube URL gives its id")
    ] = None,
    channel: Annotated[str, typer.Option(help="Channel or show name (files)")] = "",
    chapters: Annotated[
        Path | None, typer.Option(help="Text file with chapter times, e.g. '0:00 Intro'")
    ] = None,
    published: Annotated[str | None, typer.Option(help="Publication date, YYYY-MM-DD")] = None,
    lang: Annotated[
        list[str] | None,
        typer.Option(help="Transcript languages in order of preference [default: en, then any]"),
    ] = None,
    translate: Annotated[
        str | None, typer.Option(help="Have YouTube translate the transcript to this language")
    ] = None,
    proxy: Annotated[
        str | None,
        typer.Option(envvar="CHAPTERSEARCH_PROXY", help="HTTP(S) proxy URL for YouTube"),
    ] = None,
    refresh: Annotated[
        bool, typer.Option(help="Fetch videos already in the library again")
    ] = False,
    limit: Annotated[
        int | None, typer.Option(min=1, help="Most videos to take from a playlist or channel")
    ] = None,
    delay: Annotated[
        float,
        typer.Option(
            min=0, envvar="CHAPTERSEARCH_DELAY", help="Seconds to wait between YouTube videos"
        ),
    ] = 1.0,
) -> None:
    """Add episodes to the library and index.

    Files are read again each time; YouTube videos already in the library are skipped
    unless --refresh (with --chapters, they are re-chaptered without the network).
    """
    from .adding import AddOptions, EpisodeMaker, plan
    from .library import Library
    from .local_source import FileDetails
    from .operations import add_sources

    languages = [code.strip() for value in lang or [] for code in value.split(",") if code.strip()]
    details = FileDetails(
        title=title, url=url, channel=channel, published=_parse_date(published), chapters=chapters
    )
    options = AddOptions(
        details=details,
        languages=languages or None,
        translate=translate,
        proxy=proxy,
        refresh=refresh,
        limit=limit,
        delay=delay,
    )
    work = plan(sources, options)
    if len(work.items) > 1 and (title or url or chapters):
        raise fail("--title, --url and --chapters describe one episode: give one SOURCE with them")
    maker = EpisodeMaker(Library(home().library), options)
    if sys.stderr.isatty() and len(work.items) > 1:
        with typer.progressbar(length=len(work.items), label="adding", file=sys.stderr) as bar:
            report = add_sources(home(), work.items, maker, lambda _: bar.update(1))
    else:
        report = add_sources(home(), work.items, maker)
    report.failed[:0] = work.failed
    _print_add_report(report, batch=len(work.items) + len(work.failed) > 1)


def _print_add_report(report: Any, batch: bool) -> None:
    """Notes and failures, one line each, then a summary (left out when the only source
    failed: its one line says it all)."""
    for episode in report.added:
        for note in episode.chapter_notes:
            warn(f"{episode.id}: {note}")
    for _, reason in report.failed:
        typer.echo(f"chaptersearch: {reason}", err=True)
    if report.stopped:
        rest = "; stopped before the rest" if batch else ""
        typer.echo(f"chaptersearch: {report.stopped}{rest}", err=True)
    if batch or not (report.failed or report.stopped):
        summary = (
            f"added {len(report.added)} episode(s) ({report.passages} passages), "
            f"skipped {len(report.skipped)} already in the library, "
            f"failed {len(report.failed)}; home {home().root}"
        )
        typer.echo(summary, err=True)
    if report.failed or report.stopped:
        raise typer.Exit(2)


@app.command()
@friendly
def search(
    query: Annotated[
        str,
        typer.Argument(help='Words, "quoted phrases", chapter:, video:, channel:, title: filters'),
    ],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most hits to show")] = 10,
    video: Annotated[str | None, typer.Option(help="Only this episode id")] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print hits as a JSON array")] = False,
    open_hit: Annotated[
        int | None, typer.Option("--open", help="Open hit N in the browser")
    ] = None,
    per_chapter: Annotated[int, typer.Option(min=1, help="Most hits from any one chapter")] = 1,
) -> None:
    """Search the index; exit 0 with hits, 1 with none."""
    from .recent import save_last_search
    from .render import format_hits, hits_json, use_style
    from .search import SearchRequest
    from .search import search as run_search

    request = SearchRequest(
        query, limit=limit, video=video, channel=channel, per_chapter=per_chapter
    )
    hits = run_search(home().index, request)
    if as_json:
        typer.echo(hits_json(hits))
    elif hits:
        typer.echo(format_hits(hits, use_style(sys.stdout.isatty())))
    if not hits:
        if not as_json:
            typer.echo(f"no hits for {query!r}", err=True)
        raise typer.Exit(1)
    save_last_search(home(), query, hits)
    if open_hit is not None:
        _open(open_hit)


def _open(number: int) -> None:
    from .recent import link_of_hit

    link = link_of_hit(home(), number)
    typer.echo(f"opening {link}", err=True)
    typer.launch(link)


@app.command("open")
@friendly
def open_command(
    number: Annotated[int, typer.Argument(help="Hit number from the last search")] = 1,
) -> None:
    """Open hit N of the last search in the browser, at its moment."""
    _open(number)


@app.command()
@friendly
def rebuild(
    processes: Annotated[int, typer.Option(min=1, help="Indexing processes")] = 1,
) -> None:
    """Rebuild the index from the library, beside the old one, then swap it in."""
    from .library import Library
    from .operations import rebuild as run_rebuild

    total = len(Library(home().library).paths())
    if sys.stderr.isatty() and total:
        with typer.progressbar(length=total, label="rebuilding", file=sys.stderr) as bar:
            done = [0]

            def step(count: int) -> None:
                bar.update(count - done[0])
                done[0] = count

            report = run_rebuild(home(), step, processes)
    else:
        report = run_rebuild(home(), None, processes)
    for problem in report.skipped:
        warn(f"skipped {problem}")
    typer.echo(
        f"rebuilt the index of {home().root}: "
        f"{report.episodes} episode(s), {report.passages} passages",
        err=True,
    )


@app.command("list")
@friendly
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """List the episodes in the library."""
    from .library import Library
    from .timecode import format_clock

    rows: list[dict[str, Any]] = []
    for entry in Library(home().library).episodes():
        if isinstance(entry, ChapterSearchError):
            warn(str(entry))
            continue
        sources = sorted({chapter.source for chapter in entry.chapters})
        rows.append(
            {
                "id": entry.id,
                "title": entry.title,
                "channel": entry.channel,
                "duration": entry.duration,
                "chapters": len(entry.chapters),
                "chapter_sources": sources,
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        typer.echo(
            f"the library in {home().root} is empty; add episodes with `chaptersearch add`",
            err=True,
        )
        return
    for row in rows:
        typer.echo(
            f"{row['id']}\t{format_clock(row['duration'])}\t{row['chapters']} chapters "
            f"({', '.join(row['chapter_sources'])})\t{row['title']}"
        )


@app.command()
@friendly
def show(
    episode_id: Annotated[
        str, typer.Argument(metavar="ID", help="Episode id, as `list` prints it")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the library entry without cues")
    ] = False,
) -> None:
    """Show an episode's details and chapters."""
    from .library import Library
    from .timecode import format_clock

    episode = Library(home().library).load(episode_id)
    if as_json:
        typer.echo(episode.model_dump_json(indent=2, exclude={"cues", "fetched"}))
        return
    typer.echo(f"{episode.title}")
    typer.echo(f"  id: {episode.id}")
    if episode.channel:
        typer.echo(f"  channel: {episode.channel}")
    if episode.url:
        typer.echo(f"  url: {episode.url}")
    if episode.published:
        typer.echo(f"  published: {episode.published.isoformat()}")
    typer.echo(f"  duration: {format_clock(episode.duration)}, {len(episode.cues)} cues")
    if episode.language:
        generated = ", generated by YouTube" if episode.transcript_generated else ""
        typer.echo(f"  transcript: {episode.language}{generated}")
    typer.echo(f"  from: {episode.origin.location}")
    typer.echo(f"  chapters ({len(episode.chapters)}):")
    for chapter in episode.chapters:
        typer.echo(f"    {format_clock(chapter.start):>8}  {chapter.title}  [{chapter.source}]")
    for note in episode.chapter_notes:
        typer.echo(f"  note: {note}")


@app.command()
@friendly
def remove(
    episode_id: Annotated[
        str, typer.Argument(metavar="ID", help="Episode id, as `list` prints it")
    ],
) -> None:
    """Remove an episode from the library and the index."""
    from .operations import remove as run_remove

    episode = run_remove(home(), episode_id)
    typer.echo(f"removed {episode.id}: {episode.title}", err=True)


@app.command()
@friendly
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """Say which home is used and what it holds."""
    from dataclasses import asdict

    from .operations import stats as run_stats

    figures = run_stats(home())
    if as_json:
        typer.echo(json.dumps({**asdict(figures), "home": str(figures.home)}, indent=2))
        return
    by_source = ", ".join(
        f"{count} {source}" for source, count in sorted(figures.chapters_by_source.items())
    )
    typer.echo(f"home: {figures.home}")
    typer.echo(f"episodes: {figures.episodes} ({figures.hours:.1f} hours, {figures.cues} cues)")
    if figures.unreadable:
        typer.echo(f"unreadable library entries: {figures.unreadable}")
    typer.echo(f"chapters: {sum(figures.chapters_by_source.values())} ({by_source or 'none'})")
    typer.echo(
        f"library: {figures.library_bytes / 1e6:.1f} MB, index: {figures.index_bytes / 1e6:.1f} MB"
    )


def main() -> None:
    app()
