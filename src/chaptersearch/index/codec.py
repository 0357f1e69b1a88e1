"""Posting blocks laid out as flat arrays, read without unpickling.

whoosh3 writes each block of 128 postings as a pickled tuple of Python tuples (document
numbers, weights, and one ``bytes`` of positions per posting), compressed. Profiled at
a thousand episodes, unpickling those tuples was the largest single cost of every kind
of search (18 of 130 s for headings, 4.5 of 13 s for quotes): 100 µs a block, whether
the search wanted positions or only document numbers. Here a block is a small fixed
header and three arrays (gaps between document numbers, weights, the lengths of the
positions) followed by the positions, so reading a block is ``zlib`` and
``array.frombytes``, and positions are cut out only when asked for.

Everything else is whoosh3's: terms, stored fields, lengths and the block statistics
that skipping needs (last id, highest weight, shortest and longest field). A segment
records the codec that wrote it, so an index of whoosh3's own blocks still reads; a
merge rewrites old segments in this layout. Vector postings (unused here) keep
whoosh3's layout.
"""

import struct
import zlib
from array import array
from itertools import accumulate
from typing import Any

from whoosh.codec import whoosh3
from whoosh.system import emptybytes

from . import blocks

MAGIC = b"CSb1"
"""Starts every posting list of this layout (whoosh3's is ``W3Bl``): a reader of one
layout refuses the other's lists instead of misreading them."""

HEADER = struct.Struct("<iHIfBBBBBHH")
"""Block length (negative for the last block), postings, last document number, highest
weight, compressed or not, shortest and longest field (Whoosh's length bytes), the
width of a document gap (1, 2 or 4 bytes), how weights are kept (``WEIGHTS_*``), the
byte length of the gaps and of the weights, uncompressed."""

WEIGHTS_ONE, WEIGHTS_SAME, WEIGHTS_EACH = 0, 1, 2
COMPRESS_FROM = 80
"""Below this many bytes zlib makes a block larger (whoosh3 found the same)."""
COMPRESSION = 3
_WIDTHS = {1: "B", 2: "H", 4: "I"}


def _narrowest(gaps: list[int]) -> int:
    top = max(gaps)
    return 1 if top < 1 << 8 else 2 if top < 1 << 16 else 4


class BlockPostingsWriter(whoosh3.W3PostingsWriter):  # type: ignore[misc]
    """whoosh3's postings writer with blocks written as flat arrays."""

    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        gaps = [later - earlier for earlier, later in zip([0, *ids], ids, strict=False)]
        width = _narrowest(gaps)
        gap_bytes = array(_WIDTHS[width], gaps).tobytes()
        weights = self._weights
        first = weights[0]
        if all(weight == 1.0 for weight in weights):
            mode, weight_bytes = WEIGHTS_ONE, b""
        elif all(weight == first for weight in weights):
            mode, weight_bytes = WEIGHTS_SAME, array("f", [first]).tobytes()
        else:
            mode, weight_bytes = WEIGHTS_EACH, array("f", weights).tobytes()
        values = self._values
        value_bytes = b""
        if values and any(values):
            value_bytes = array("I", map(len, values)).tobytes() + emptybytes.join(values)
        data = gap_bytes + weight_bytes + value_bytes
        compressed = 0
        if len(data) >= COMPRESS_FROM:
            packed = zlib.compress(data, COMPRESSION)
            if len(packed) < len(data):
                data, compressed = packed, 1
        length = HEADER.size - 4 + len(data)
        header = HEADER.pack(
            -length if last else length,
            len(ids),
            ids[-1],
            self._maxweight,
            compressed,
            whoosh3.length_to_byte(self._minlength),
            whoosh3.length_to_byte(self._maxlength),
            width,
            mode,
            len(gap_bytes),
            len(weight_bytes),
        )
        self._postfile.write(header)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


class BlockLeafMatcher(whoosh3.W3LeafMatcher):  # type: ignore[misc]
    """Reads the blocks ``BlockPostingsWriter`` writes; the same interface as
    whoosh3's, so Whoosh's matchers and scorers work on it unchanged."""

    _data: Any
    _ids: Any
    _weights: Any
    _values: Any

    def _read_header(self) -> None:
        postfile = self._postfile
        postfile.seek(self._startoffset)
        magic = postfile.read(4)
        if magic != MAGIC:
            raise whoosh3.CorruptIndexError(
                f"bad postings block tag {magic!r} at offset {self._startoffset} "
                f"(expected {MAGIC!r}): the index is damaged; rebuild it"
            )
        self._baseoffset = self._startoffset + 4

    def _goto(self, position: int) -> None:
        """Stand on the block at ``position``: the next one, or any block another
        reader of this list found (a search may jump back and forth)."""
        self._block_start = position
        self._lastblock = False
        self._atend = False
        self._data = None
        self._ids = None
        self._weights = None
        self._values = None
        self._i = 0
        (
            length,
            self._blocklength,
            self._maxid,
            self._maxweight,
            self._compression,
            shortest,
            longest,
            self._width,
            self._weight_mode,
            self._gap_bytes,
            self._weight_bytes,
        ) = HEADER.unpack(self._postfile.get(position, HEADER.size))
        if length < 0:
            self._lastblock = True
            length = -length
        self._dataoffset = position + HEADER.size
        self._nextoffset = position + 4 + length
        self._minlength = whoosh3.byte_to_length(shortest)
        self._maxlength = whoosh3.byte_to_length(longest)

    def _read_data(self) -> None:
        data = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)
        self._data = zlib.decompress(data) if self._compression else data

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        gaps = array(_WIDTHS[self._width])
        gaps.frombytes(self._data[: self._gap_bytes])
        self._ids = list(accumulate(gaps))

    def _read_weights(self) -> None:
        if self._data is None:
            self._read_data()
        count = self._blocklength
        if self._weight_mode == WEIGHTS_ONE:
            self._weights = [1.0] * count
            return
        weights = array("f")
        start = self._gap_bytes
        weights.frombytes(self._data[start : start + self._weight_bytes])
        self._weights = list(weights) * count if self._weight_mode == WEIGHTS_SAME else weights

    def _read_values(self) -> None:
        if self._data is None:
            self._read_data()
        count = self._blocklength
        start = self._gap_bytes + self._weight_bytes
        if start >= len(self._data):
            self._values = (emptybytes,) * count
            return
        lengths = array("I")
        lengths.frombytes(self._data[start : start + 4 * count])
        data = self._data
        ends = list(accumulate(lengths, initial=start + 4 * count))
        self._values = [data[ends[n] : ends[n + 1]] for n in range(count)]

    skip_to = blocks.skip_to
    """Whole blocks by their last number, then by bisection within the block."""


class BlockCodec(whoosh3.W3Codec):  # type: ignore[misc]
    """whoosh3's codec with ``BlockPostingsWriter``'s blocks for the inverted index."""

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:  # term vectors: whoosh3's own layout
            return super().postings_writer(dbfile, byteids=True)
        return BlockPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=False,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return BlockLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
