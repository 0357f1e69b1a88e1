"""Errors a user can act on.

Every failure the CLI reports is one of these: its message is the one line the user
sees, so it says what went wrong and what to do next. Anything else is a bug and gets
a traceback only under ``--debug``.
"""


class ChapterSearchError(Exception):
    """A failure with a message fit for the user's terminal."""


class TranscriptError(ChapterSearchError):
    """A transcript file that cannot be read or holds no speech."""


class ChapterError(ChapterSearchError):
    """Chapter text that yields no usable chapters."""


class LibraryError(ChapterSearchError):
    """A library entry that is missing or unreadable."""


class IndexBusyError(ChapterSearchError):
    """Another chaptersearch process is writing to the same home."""


class IndexMissingError(ChapterSearchError):
    """There is no index yet, or it cannot be opened."""


class IndexUnreadableError(IndexMissingError):
    """The index's files could not be read: damaged, or replaced while being read."""


class IndexEmptyError(IndexMissingError):
    """The index exists but holds nothing yet: a first ``add`` failed or is running."""


class HomeError(ChapterSearchError):
    """The home folder cannot be used (it is a file, or cannot be written)."""


class QueryError(ChapterSearchError):
    """A search that cannot be run as typed (for example an empty query)."""


class NetworkUnavailable(ChapterSearchError):
    """The machine cannot reach YouTube at all: a batch stops rather than fail each video."""


class Skipped(ChapterSearchError):
    """A source passed over on purpose (an episode with no timed transcript): counted in
    the summary apart from failures."""
