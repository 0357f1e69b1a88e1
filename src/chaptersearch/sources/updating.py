"""``update``: read every followed source again and add only what is new.

A feed is asked for conditionally (its last ETag and Last-Modified), so an unchanged
feed costs one short answer (304); a changed one gives only the items whose episode id
is not in the library yet (ids come from the feed and each item's guid, so nothing else
is fetched to know). A channel or playlist is listed again and only videos not in the
library are fetched. Each source is done alone: one that fails is reported and the
next is read.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..errors import ChapterSearchError
from ..library.home import Home
from ..library.store import Library
from ..output.terminal import plural
from .registry import MAX_ATTEMPTS, Registry, Source, change, now


@dataclass
class SourceResult:
    """What ``update`` did with one source, as one line says it."""

    source: Source
    added: int = 0
    passages: int = 0
    untimed: int = 0
    failed: list[str] | None = None
    error: str | None = None
    not_modified: bool = False
    left_out: list[str] | None = None
    """Items of the feed that can be no episode (``FeedPlan.left_out``)."""

    def line(self) -> str:
        source = self.source
        name = f"{source.title} ({source.address})" if source.title else source.address
        if self.error:
            return f"{self.source.kind} {name}: failed: {self.error}"
        if self.not_modified:
            return f"{self.source.kind} {name}: not modified since the last update"
        parts = [f"{plural(self.added, 'new episode')}"]
        if self.untimed:
            parts.append(f"{plural(self.untimed, 'episode')} without a timed transcript")
        if self.failed:
            parts.append(f"{len(self.failed):,} failed")
        parts.extend(self.left_out or [])
        return f"{self.source.kind} {name}: {', '.join(parts)}"


def _feed_work(source: Source, session: Any) -> tuple[list[Any], dict[str, Any]]:
    from .feed import plan_feed

    since = date.fromisoformat(source.since) if source.since else None
    read = plan_feed(
        source.address,
        session,
        source.limit,
        since,
        etag=source.etag,
        last_modified=source.last_modified,
    )
    if read.not_modified:
        return [], {"not_modified": True}
    return read.items, {
        "title": read.title,
        "etag": read.etag,
        "last_modified": read.last_modified,
        "ids": [entry.episode_id for entry in read.items],
        "left_out": read.left_out(),
    }


def _list_work(source: Source, proxy: str | None) -> tuple[list[Any], dict[str, Any]]:
    from ..urls import parse_youtube
    from .adding import Item
    from .youtube_metadata import expand_list

    target = parse_youtube(source.address)
    if target is None:
        raise ChapterSearchError(f"{source.address} is not a YouTube address")
    ids = expand_list(target.value, source.limit, proxy)
    return [Item("video", video_id) for video_id in ids], {"ids": list(ids)}


def update_sources(
    home: Home,
    make_maker: Callable[[Library, Source], Any],
    add: Callable[[list[Any], Any, Library, Source], Any],
    proxy: str | None = None,
    wait: float = 0.0,
    on_result: Callable[[SourceResult], None] | None = None,
) -> list[SourceResult]:
    """Update every followed source in turn; ``add`` stores the new items of a source (it
    is ``operations.add_sources`` with the CLI's progress), ``make_maker`` makes the
    episode maker over a library for a source (its languages are the source's own).
    Each source is read as it was added: its newest ``limit`` items, those ``since``
    its day."""
    from .transport import make_session

    results: list[SourceResult] = []
    session = make_session(proxy)
    for source in list(Registry(home.root).sources):
        result = SourceResult(source)
        library = Library(home.library)
        try:
            if source.kind == "feed":
                work, learned = _feed_work(source, session)
            else:
                work, learned = _list_work(source, proxy)
            result.not_modified = bool(learned.get("not_modified"))
            result.left_out = learned.get("left_out")
            new = [
                item
                for item in work
                if not library.has(_episode_id(item))
                and source.failures.get(_episode_id(item), 0) < MAX_ATTEMPTS
                and _episode_id(item) not in source.removed
            ]
            report = add(new, make_maker(library, source), library, source) if new else None
            if report is not None:
                result.added = len(report.added)
                result.passages = report.passages
                result.untimed = sum(
                    1 for _, why in report.skipped if why != "already in the library"
                )
                result.failed = [reason for _, reason in report.failed]
                names = {name for name, _ in report.failed}
                learned["failed"] = [_episode_id(i) for i in new if str(i) in names]
                if report.stopped is not None:
                    raise report.stopped
            # an item that failed (a transcript that could not be fetched) is tried again
            # by the next update: the feed's validators are kept only when none failed
            complete = report is None or not (
                report.not_tried or report.offline or report.failed or report.interrupted
            )
            _record(home, wait, source.address, learned, complete, library)
            if report is not None and report.interrupted:
                raise KeyboardInterrupt  # Ctrl-C stops the whole update, not one source
        except KeyboardInterrupt:
            raise
        except ChapterSearchError as error:  # a source is counted once: failed
            result.error, result.not_modified = str(error), False
        results.append(result)
        if on_result:
            on_result(result)
    return results


def _record(
    home: Home,
    wait: float,
    address: str,
    learned: dict[str, Any],
    complete: bool,
    library: Library,
) -> None:
    """Keep what a read learned: the time, the title, the validators (only when every
    new item was tried) and the ids of the source's episodes now in the library."""

    def edit(registry: Registry) -> None:
        kept = registry.find(address)
        if kept is None:
            return
        kept.updated = now()
        if learned.get("title"):
            kept.title = learned["title"]
        if complete and "etag" in learned:
            kept.etag, kept.last_modified = learned["etag"], learned["last_modified"]
        kept.remember([i for i in learned.get("ids", []) if library.has(i)])
        for episode_id in learned.get("failed", []):
            kept.failures[episode_id] = kept.failures.get(episode_id, 0) + 1
        kept.failures = {i: n for i, n in kept.failures.items() if not library.has(i)}

    change(home, wait, edit)


def _episode_id(item: Any) -> str:
    return str(getattr(item, "episode_id", None) or getattr(item, "value", ""))


def still_followed(home: Home, source: Source) -> Callable[[], str | None]:
    """For ``add_sources``, under the lock: why the source's items must not be stored
    now (it was removed while they downloaded), or None."""

    def check() -> str | None:
        if Registry(home.root).find(source.address) is None:
            return f"{source.address} is no longer followed (`sources remove`): not added"
        return None

    return check
