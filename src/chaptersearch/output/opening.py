"""Opening a hit's link in the user's browser, and saying so when that cannot be done."""

import webbrowser

from ..errors import ChapterSearchError
from .links import is_web_url


def open_link(link: str) -> None:
    """Hand an http(s) link to the browser (``$BROWSER`` first, as Python's webbrowser
    does); fail with one line when none could be started.

    Links come from the library, which only takes http(s) URLs; a link of another kind
    (an entry edited by hand, say) is refused rather than given to the system opener.
    """
    if not is_web_url(link):
        raise ChapterSearchError(f"will not open {link!r}: only http and https links are opened")
    try:
        opened = webbrowser.open(link)
    except webbrowser.Error:
        opened = False
    if not opened:
        raise ChapterSearchError(
            f"no web browser could be started here; open the link yourself: {link}"
        )
