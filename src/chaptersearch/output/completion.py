"""Shell completion: episode ids (``show``, ``remove``, ``edit``, ``--video``), the
``--mode`` and ``--color`` values, and the query's filter names (``video:`` then an id).

Every Tab runs a new process, so this reads only the names of the library's files
(``ID.json``), never an entry, the index or pydantic; and it never fails: a missing,
unreadable or mistyped home completes nothing rather than print a traceback into the
user's command line.
"""

import os

import click

from ..library.home import Home, resolve_home

MODES = ("words", "meaning", "hybrid")
COLORS = ("auto", "always", "never")
FILTER_NAMES = ("chapter", "title", "video", "channel", "speaker")
"""The query's filters, as ``query.FILTERS`` names them (a test keeps the two equal):
importing the query module would bring Whoosh into every Tab."""


def _home(ctx: click.Context) -> Home | None:
    """The home the command would use: ``--home`` if given before the command, else
    the same defaults; None when it cannot be told."""
    try:
        return resolve_home(ctx.find_root().params.get("home_option"))
    except Exception:  # a bad --home, $CHAPTERSEARCH_HOME or working folder
        return None


def episode_ids(ctx: click.Context, incomplete: str) -> list[str]:
    """The library's ids that start with what was typed."""
    home = _home(ctx)
    if home is None:
        return []
    try:
        names = os.listdir(home.library)
    except OSError:  # no library yet, not a folder, no permission
        return []
    return sorted(
        name[: -len(".json")]
        for name in names
        if name.endswith(".json") and not name.startswith(".") and name.startswith(incomplete)
    )


def modes(incomplete: str) -> list[str]:
    return [mode for mode in MODES if mode.startswith(incomplete)]


def colors(incomplete: str) -> list[str]:
    return [color for color in COLORS if color.startswith(incomplete)]


def query_words(ctx: click.Context, incomplete: str) -> list[str]:
    """A filter name for the start of a word (``ch`` gives ``chapter:`` and
    ``channel:``), and an episode id after ``video:``; nothing for other words."""
    name, colon, value = incomplete.partition(":")
    if colon:
        if name.lower() != "video":
            return []
        return [f"{name}:{episode_id}" for episode_id in episode_ids(ctx, value)]
    return [f"{filter_name}:" for filter_name in FILTER_NAMES if filter_name.startswith(name)]
