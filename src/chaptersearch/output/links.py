"""Which links chaptersearch keeps and opens: http and https, nothing else.

A link is handed to the system's browser opener, so a ``javascript:``, ``data:`` or
``file:`` URL, or one starting with ``--`` (an option to ``xdg-open``), must never get
that far: ``add --url`` refuses them, and ``open`` checks again.
"""

import re

from ..errors import ChapterSearchError

_WEB_URL = re.compile(r"^https?://[^\s/?#@]+\S*$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
"""Controls, and the invisible or direction-changing characters that make a link read
as something else (``https://example.org/\u202egpj.exe`` shows as ``…exe.jpg``)."""


def is_web_url(url: str) -> bool:
    return bool(_WEB_URL.match(url)) and not _CONTROL.search(url)


def check_url(url: str) -> str:
    """``url`` without surrounding spaces, or one line saying what is expected."""
    url = url.strip()
    hidden = _CONTROL.search(url)
    if hidden:
        raise ChapterSearchError(
            f"--url {url!r}: holds the invisible character U+{ord(hidden.group()):04X}, "
            "which can make a link read as another; type the address again"
        )
    if not is_web_url(url):
        raise ChapterSearchError(
            f"--url {url!r}: give the address where the episode plays, "
            "starting with https:// or http://"
        )
    return url


URL_TEMPLATE_PLACEHOLDER = "{id}"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def url_from_template(template: str, episode_id: str) -> str:
    """An episode's link from ``edit --url-template``: ``{id}`` is its id, as a URL
    carries it (quoted)."""
    from urllib.parse import quote

    return template.replace(URL_TEMPLATE_PLACEHOLDER, quote(episode_id, safe=""))


def check_url_template(template: str) -> str:
    """A template every episode's link can be made from, or one line saying what is
    expected. ``{id}`` is the only placeholder: the moment is added to every link when
    a hit is made (``#t=SECONDS``, YouTube's ``&t=``), so a ``{seconds}`` is refused
    rather than left in the links as text."""
    template = template.strip()
    names = _PLACEHOLDER.findall(template)
    unknown = [name for name in names if name != "id"]
    if unknown:
        raise ChapterSearchError(
            f"--url-template: {{{unknown[0]}}} is not a placeholder; use {{id}} (the "
            "episode's id): every link gets the moment added as #t=SECONDS"
        )
    if "id" not in names:
        raise ChapterSearchError(
            f"--url-template {template!r}: put {{id}} where the episode's id goes"
        )
    if _CONTROL.search(template) or not is_web_url(url_from_template(template, "id")):
        raise ChapterSearchError(
            f"--url-template {template!r}: give the address where each episode plays, "
            "starting with https:// or http://, with {id} where its id goes"
        )
    return template


PROXY_SCHEMES = ("http", "https", "socks4", "socks5", "socks5h")

SOCKS_UNSUPPORTED = (
    "a SOCKS proxy needs PySocks, which is not installed (pip install 'requests[socks]'); "
    "or give an http(s) proxy"
)


def socks_supported() -> bool:
    """Whether requests can use a SOCKS proxy: only with PySocks (``requests[socks]``),
    which chaptersearch does not require."""
    from importlib.util import find_spec

    return find_spec("socks") is not None


def check_proxy(proxy: str) -> str:
    """A proxy URL requests and yt-dlp can use, or one line saying what is expected:
    a mistyped proxy must not pass for "YouTube did not answer", nor a SOCKS proxy
    without PySocks for a redirect to a non-http(s) address."""
    from urllib.parse import urlparse

    proxy = proxy.strip()
    try:
        parsed = urlparse(proxy)
        port = parsed.port
    except ValueError:
        port, parsed = -1, None
    if parsed is None or parsed.scheme not in PROXY_SCHEMES or not parsed.hostname or port == -1:
        shown = proxy.split("@")[-1]  # never print credentials
        raise ChapterSearchError(
            f"--proxy {shown!r}: give a proxy URL such as http://host:8080 "
            f"(schemes: {', '.join(PROXY_SCHEMES)})"
        )
    if parsed.scheme.startswith("socks") and not socks_supported():
        raise ChapterSearchError(f"--proxy {parsed.scheme}://…: {SOCKS_UNSUPPORTED}")
    return proxy
