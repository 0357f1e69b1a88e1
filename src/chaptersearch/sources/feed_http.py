"""HTTP for podcast feeds and what they point at: bounded, http(s) only, conditional.

A feed is someone else's document, and so is every address inside it. So a fetch here
takes only ``http``/``https`` addresses (a ``file:`` transcript is refused before any
request, never read), follows at most ``MAX_REDIRECTS`` redirects, and reads at most a
given number of bytes, stopping the download as soon as a body passes it. Timeouts,
retries and the proxy come from the session that ``transport.make_session`` makes for
YouTube, so a feed behaves on a bad network as a video does.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import ChapterSearchError, NetworkUnavailable
from ..output.links import SOCKS_UNSUPPORTED

MAX_REDIRECTS = 5
FETCH_SECONDS = 120.0
"""The most one download may take, all told: a feed or transcript a server drips a byte
at a time is given up, instead of keeping the command (and what waits on it) going."""
MEGABYTE = 1024 * 1024
CHUNK = 64 * 1024


class FetchError(ChapterSearchError):
    """An address that could not be read: refused, too big, an HTTP error, a timeout."""


class RefusedAddress(FetchError):
    """An address that is not http(s): never requested."""


@dataclass(frozen=True)
class Fetched:
    """One response: its body (empty when not modified) and its validators."""

    url: str
    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def is_http(url: str) -> bool:
    """Whether an address may be followed: http or https with a host."""
    try:
        parsed = urlparse(url.strip())
    except ValueError:
        return False
    return parsed.scheme.lower() in ("http", "https") and bool(parsed.hostname)


def check_http(url: str, what: str) -> str:
    """The address, or RefusedAddress naming it: only http(s) is ever requested."""
    if not is_http(url):
        shown = url if len(url) <= 120 else url[:117] + "…"
        raise RefusedAddress(f"{what} at {shown!r} refused: only http(s) addresses are followed")
    return url.strip()


def _body(response: Any, limit: int, what: str, sink: "Sink | None" = None) -> bytes:
    """The body, at most ``limit`` bytes; one line when it is more, or when the server
    stops sending before the end it announced (Content-Length) and closes the
    connection or falls silent: requests says either in a pool's raw words. Given a
    ``sink``, the body goes there as it comes and nothing is returned."""
    import requests

    body = bytearray()
    size = 0
    try:
        for chunk in response.iter_content(CHUNK):
            size += len(chunk)
            if size > limit:
                raise FetchError(f"{what} is over the {_megabytes(limit)} read")
            if sink is None:
                body.extend(chunk)
            else:
                sink.write(chunk)
    except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
        declared = response.headers.get("Content-Length", "")
        promised = f"the {int(declared):,} bytes it announced" if declared.isdigit() else "its end"
        how = "timed out" if "timed out" in str(error).lower() else "ended"
        raise FetchError(f"{what}: {how} before {promised}") from None
    return bytes(body)


class Sink:
    """A file a download is written to, which stops taking bytes once the download is
    given up (``within`` leaves its thread behind to end with its socket)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.given_up = False
        self._file = path.open("wb")

    def write(self, chunk: bytes) -> None:
        if self.given_up:
            raise FetchError("download given up")
        try:
            self._file.write(chunk)
        except OSError as error:
            where = self.path.parent
            raise FetchError(f"cannot write the download to {where} ({error.strerror})") from None

    def close(self) -> None:
        self._file.close()


def download(
    session: Any, url: str, limit: int, target: Path, what: str, seconds: float
) -> Fetched:
    """GET ``url`` into the file ``target``: at most ``limit`` bytes, within ``seconds``
    all told, http(s) only at every redirect; one FetchError line for any failure."""
    from .transport import TooSlow, within

    check_http(url, what)
    sink = Sink(target)
    try:
        return within(
            seconds,
            lambda: _fetch(session, url, limit, what, None, None, sink),
            f"{what} at {url}: not downloaded within {seconds / 60:.0f} min; try again later",
        )
    except TooSlow:
        sink.given_up = True
        raise
    finally:
        sink.close()


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:g} MB"


def fetch(
    session: Any,
    url: str,
    limit: int,
    what: str = "feed",
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET ``url`` with at most ``limit`` bytes of body, within ``FETCH_SECONDS`` all
    told; conditional when validators are given (a 304 comes back with an empty body).
    Any failure is one FetchError line; NetworkUnavailable (no network at all) passes
    through for the caller to stop on."""
    from .transport import within

    check_http(url, what)
    return within(
        FETCH_SECONDS,
        lambda: _fetch(session, url, limit, what, etag, last_modified),
        f"{what} at {url}: not read within {FETCH_SECONDS:.0f} s (a server sending it too "
        "slowly); try again later",
    )


def _fetch(
    session: Any,
    url: str,
    limit: int,
    what: str,
    etag: str | None,
    last_modified: str | None,
    sink: Sink | None = None,
) -> Fetched:
    import requests

    headers = {"Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    session.max_redirects = MAX_REDIRECTS
    try:
        with session.get(url, headers=headers, stream=True, allow_redirects=True) as response:
            final = response.url or url
            if not is_http(final):
                raise RefusedAddress(f"{what} at {url}: redirected to a non-http(s) address")
            if response.status_code == 304:
                if not (etag or last_modified):  # nothing to be "not modified" since
                    raise FetchError(
                        f"{what} at {url}: answered 304 Not Modified to a request that was "
                        "not conditional"
                    )
                return Fetched(url=final, status=304, body=b"", etag=etag, last_modified=None)
            if response.status_code >= 400:
                reason = response.reason or ""
                raise FetchError(f"{what} at {url}: HTTP {response.status_code} {reason}".strip())
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError(
                    f"{what} at {url} is {_megabytes(int(declared))}, "
                    f"over the {_megabytes(limit)} read"
                )
            body = _body(response, limit, f"{what} at {url}", sink)
            return Fetched(
                url=final,
                status=response.status_code,
                body=bytes(body),
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                content_type=response.headers.get("Content-Type", ""),
            )
    except (FetchError, NetworkUnavailable):
        raise
    except requests.exceptions.TooManyRedirects:
        raise FetchError(f"{what} at {url}: more than {MAX_REDIRECTS} redirects") from None
    except requests.exceptions.InvalidSchema as error:
        if "SOCKS" in str(error):  # requests without PySocks, given a socks:// proxy
            raise FetchError(f"{what} at {url}: {SOCKS_UNSUPPORTED}") from None
        raise RefusedAddress(f"{what} at {url}: redirected to a non-http(s) address") from None
    except requests.exceptions.Timeout:
        raise FetchError(f"{what} at {url}: timed out") from None
    except requests.exceptions.RequestException as error:
        reason = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise FetchError(f"{what} at {url}: {reason}") from None
