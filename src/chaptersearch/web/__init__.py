"""``chaptersearch serve``: a local web page over the same home and search code.

Search as you type, hits grouped by episode, and a click plays the moment in place (the
YouTube player at the second, an audio or video element for media links, the link
otherwise). An episode page shows its chapters on a timeline with every place the
query's words are said marked, the words highlighted in its transcript, and the
transcript at the moment. Everything works as plain server-rendered links without
JavaScript; with it, ``/`` focuses the search box, arrows move between hits and Enter
plays one. As in the terminal: a did-you-mean (``search.suggest``), more hits on
request, and the query language (``QUERY_HELP``, the text of ``search -h``). A small
JSON API lives under ``/api/`` (``/api`` documents it).

Safe by construction: templates escape everything (Jinja2 autoescaping) and scripts
build the page with ``textContent``; a Content-Security-Policy forbids inline script and
style; requests must name the bound address, or for 0.0.0.0 one of the machine's own
(``hosts``: no DNS rebinding); every route is a GET and
none changes the library; queries and result counts are bounded.
"""

from .app import create_app

__all__ = ["create_app"]
