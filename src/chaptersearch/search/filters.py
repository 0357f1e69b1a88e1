"""Filter values as typed, matched against what the index holds.

An episode id may be given by its start (``--video 002``), as ``show 002`` takes it; a
channel by words of its name (``talk python``). A value that matches nothing is an
error with a "did you mean", never an empty result: ``--channel "python bites"``
answering "no hits" looks like the show never said the words.
"""

import difflib
import functools
from typing import Any

from whoosh import query as wq

from ..errors import QueryError
from ..ids import match_id
from ..index.schema import SPEAKER_ANALYZER, channel_key

SHOWN = 5
"""How many candidates an error lists."""
CLOSE_NAME = 0.75
"""How alike a channel filter and a whole channel name must be: names share words
("python"), so a looser bar suggests every show about Python."""
CLOSE_WORD = 0.75
"""How alike one word of a channel filter and one word of a name must be."""


def _terms(searcher: Any, fieldname: str) -> list[str]:
    return [
        term.decode() if isinstance(term, bytes) else str(term)
        for term in searcher.lexicon(fieldname)
    ]


def _listed(names: list[str]) -> str:
    return ", ".join(names[:SHOWN]) + (", …" if len(names) > SHOWN else "")


def video_id(value: str, searcher: Any) -> str:
    """The indexed episode id ``value`` names: itself, or the one id it starts."""
    ids = _terms(searcher, "video")
    meant = match_id(value, ids)
    if meant.found is not None:
        return meant.found
    starting, close = meant.starting, meant.close
    if starting:
        raise QueryError(
            f"video {value!r} is the start of {len(starting)} episode ids "
            f"({_listed(starting)}); type more of it"
        )
    if close:
        hint = f"did you mean {' or '.join(close)}?"
    elif len(ids) <= SHOWN:
        hint = f"the episodes are {', '.join(sorted(ids))}"
    else:
        hint = "see `chaptersearch list`"
    raise QueryError(f"video {value!r}: no such episode in the index; {hint}")


def channel_query(words: str, searcher: Any) -> wq.Query:
    """The channels whose names hold all the given words ("talk python" finds "Talk
    Python To Me"); an error naming the likely ones when none does."""
    wanted = set(channel_key(words).split())
    keys = [key for key in _terms(searcher, "channel_key") if key]
    found = [wq.Term("channel_key", key) for key in keys if wanted <= set(key.split())]
    if len(found) == 1:
        return found[0]
    if found:
        return wq.Or(found)
    names = {key: _display_name(searcher, key) for key in keys}
    if not names:
        raise QueryError(
            f"channel {words!r}: no episode in the index has a channel; give one with "
            "`chaptersearch edit ID --channel NAME`"
        )
    close = _close_channels(channel_key(words), keys)
    if close:
        hint = "did you mean " + " or ".join(f'"{names[key]}"' for key in close) + "?"
    else:
        hint = "the channels are " + _listed(sorted(names.values(), key=str.lower))
    raise QueryError(f"channel {words!r}: no channel of that name in the index; {hint}")


def _close_channels(wanted: str, keys: list[str]) -> list[str]:
    """Channel names spelt like ``wanted``: as a whole, or word by word."""
    close = difflib.get_close_matches(wanted, keys, n=3, cutoff=CLOSE_NAME)
    for key in keys:
        said = key.split()
        if key not in close and all(
            difflib.get_close_matches(word, said, n=1, cutoff=CLOSE_WORD) for word in wanted.split()
        ):
            close.append(key)
    return close[:3]


def _display_name(searcher: Any, key: str) -> str:
    """The channel's name as given (the index keys it in lower case)."""
    fields = searcher.document(channel_key=key)
    return str(fields.get("channel") or key) if fields else key


@functools.cache
def name_words(name: str) -> tuple[str, ...]:
    """The words of a speaker's name as the index keeps them (lower case, no stems);
    kept, since a search asks again for every caption it looks at."""
    return tuple(token.text for token in SPEAKER_ANALYZER(name))


def speaker_query(words: str, searcher: Any) -> wq.Query:
    """The passages where a speaker whose name holds all the given words speaks
    ("helvetica" finds Henri Helvetica's); an error naming the likely words when no
    name in the index holds them."""
    wanted = name_words(words)
    known = set(_terms(searcher, "speaker"))
    if not known:
        raise QueryError(
            f"speaker {words!r}: no transcript in the index names its speakers (WebVTT "
            "voice tags, SRT's Name: or Podcasting 2.0 JSON's speaker)"
        )
    missing = [word for word in wanted if word not in known]
    if not wanted or missing:
        close = [match for word in missing for match in difflib.get_close_matches(word, known, n=2)]
        hint = (
            f"did you mean {' or '.join(close)}?"
            if close
            else f"names say {_listed(sorted(known))}"
        )
        raise QueryError(f"speaker {words!r}: no speaker of that name in the index; {hint}")
    return (
        wq.And([wq.Term("speaker", word) for word in wanted])
        if len(wanted) > 1
        else wq.Term("speaker", wanted[0])
    )
