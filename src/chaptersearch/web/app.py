"""The Starlette application: pages and the JSON API."""

import math
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.responses import JSONResponse as StarletteJSON
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import ChapterSearchError, LibraryError, QueryError
from ..hit import Hit
from ..library.home import Home
from ..models import MAX_SECONDS
from ..output.places import Place, find_places
from ..output.terminal import json_text
from ..search.engine import SearchRequest, search
from ..search.suggest import suggestion
from .catalogue import Catalogue
from .view import (
    browse_view,
    episode_view,
    group_by_episode,
    help_blocks,
    hit_view,
    missing_view,
)

HERE = Path(__file__).parent
LIMIT = 20
"""Hits on a page unless it asks for more."""
MAX_LIMIT = 100
"""The most hits a page shows: "More hits" doubles the page up to this; past it, a
narrower query (a filter) finds the rest. A bound on what one request costs."""
MAX_QUERY = 1000

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' https://www.youtube.com",
        "style-src 'self'",
        "img-src 'self' data: https://i.ytimg.com",
        "media-src 'self' https: http:",
        "frame-src https://www.youtube-nocookie.com https://www.youtube.com",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class JSONResponse(StarletteJSON):
    """JSON as ``search --json`` writes it: controls, bidirectional overrides and line
    separators escaped, never raw (U+2028 ends a line for some JavaScript parsers)."""

    def render(self, content: Any) -> bytes:
        return json_text(content, indent=None).encode("utf-8")


class SecurityHeaders:
    """Adds the policy headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class SameSiteOnly:
    """Refuses (403) any request another web site makes: a page elsewhere must not make
    the local server search on its behalf (a costly query, sent again and again). A
    browser says where a request comes from in ``Sec-Fetch-Site`` and, for scripts and
    forms, in ``Origin``; the page's own requests say ``same-origin`` or nothing (a
    typed address or a bookmark), and name our own host."""

    def __init__(self, app: ASGIApp, hosts: list[str]) -> None:
        self.app = app
        self.hosts = {host.lower() for host in hosts}

    def _foreign(self, headers: Headers) -> bool:
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            return True
        origin = headers.get("origin")
        if origin is None:
            return False
        try:
            parsed = urlsplit(origin)
            here = urlsplit(f"//{headers.get('host', '')}")
            return (
                parsed.scheme not in ("http", "https")
                or (parsed.hostname or "") not in self.hosts
                or parsed.port != here.port
            )
        except ValueError:  # "null" (a sandboxed frame, a file), or a bad port
            return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._foreign(Headers(scope=scope)):
            message = "cross-site requests are refused: open the page from its own address"
            response: Response
            if scope["path"].startswith("/api"):
                response = JSONResponse({"error": message}, status_code=403)
            else:
                response = PlainTextResponse(message, status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _limit(request: Request) -> int:
    try:
        value = int(request.query_params.get("limit", str(LIMIT)))
    except ValueError:
        value = LIMIT
    return max(1, min(MAX_LIMIT, value))


@dataclass(frozen=True)
class Found:
    """A search as the page shows it: the hits, whether there are more, and the
    terminal's did-you-mean when they do not fill the page."""

    hits: list[Hit]
    limit: int
    more: bool
    did_you_mean: str | None
    more_page: str | None
    """The page with more hits (the same search, twice the limit up to ``MAX_LIMIT``);
    None when there are none or the limit is at its most."""


def _page_link(request: Request, **changes: Any) -> str:
    """The search page for this request's parameters with ``changes`` made (the API's
    answer links to the page too: its script shows that page's links)."""
    params = {**request.query_params, **{key: str(value) for key, value in changes.items()}}
    return "/?" + urlencode(params)


def _moment(text: str) -> float:
    """The second ``?t=`` asks for; 0 (the start) for anything but a finite number of
    seconds within an episode's longest length: nan, inf and 1e400 are ignored."""
    try:
        value = float(text[:20])
    except ValueError:
        return 0.0
    return value if math.isfinite(value) and 0 <= value <= MAX_SECONDS else 0.0


def _episode_query(text: str) -> tuple[str, str | None]:
    """The query an episode page marks, and why it marks none: one longer than
    ``MAX_QUERY`` (as ``/`` and ``/api/search`` refuse it) is not searched and not
    shown again, so a page never costs what a query of megabytes would."""
    query = text.strip()
    if len(query) > MAX_QUERY:
        return "", f"the query is longer than {MAX_QUERY:,} characters: it was not searched"
    return query, None


def create_app(home: Home, hosts: list[str] | None = None) -> Starlette:
    """The app for one home; ``hosts`` are the names a request may give in its Host
    header (the bound address and localhost)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True
    )
    templates = Jinja2Templates(env=environment)

    def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
        response: Response = templates.TemplateResponse(request, name, context, status_code=status)
        return response

    def run(
        request: Request, query: str, video: str | None = None, limit: int | None = None
    ) -> list[Hit]:
        if len(query) > MAX_QUERY:
            raise QueryError(f"the query is longer than {MAX_QUERY} characters")
        mode = request.query_params.get("mode") or None
        if mode not in (None, "words", "meaning", "hybrid"):
            raise QueryError("mode: use words, meaning or hybrid")
        search_request = SearchRequest(
            query,
            limit=limit or _limit(request),
            video=video or request.query_params.get("video") or None,
            channel=request.query_params.get("channel") or None,
            mode=mode,
        )
        return search(home.index, search_request)

    def find(request: Request, query: str) -> Found:
        """One hit more than the page shows, to know whether there are more (the
        ranking does not depend on the limit); the suggestion as ``search`` asks it."""
        limit = _limit(request)
        hits = run(request, query, limit=limit + 1)
        more = len(hits) > limit
        better = suggestion(home.index, query) if len(hits) < limit else None
        return Found(
            hits=hits[:limit],
            limit=limit,
            more=more,
            did_you_mean=better,
            more_page=_page_link(request, limit=min(2 * limit, MAX_LIMIT))
            if more and limit < MAX_LIMIT
            else None,
        )

    def page(request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        found = Found([], _limit(request), False, None, None)
        error = None
        if query:
            try:
                found = find(request, query)
            except ChapterSearchError as problem:
                error = str(problem)
        context = {
            "query": query,
            "episodes": group_by_episode(found.hits),
            "count": len(found.hits),
            "found": found,
            "max_limit": MAX_LIMIT,
            "suggested": _page_link(request, q=found.did_you_mean) if found.did_you_mean else None,
            "help": help_blocks(),
            "error": error,
        }
        status = 400 if error and not found.hits else 200
        return render(request, "search.html", context, status)

    def api_search(request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        try:
            found = find(request, query)
        except QueryError as problem:
            return JSONResponse({"error": str(problem)}, status_code=400)
        except ChapterSearchError as problem:
            return JSONResponse({"error": str(problem)}, status_code=503)
        return JSONResponse(
            {
                "query": query,
                "hits": [hit_view(hit) for hit in found.hits],
                "did_you_mean": found.did_you_mean,
                "limit": found.limit,
                "more": found.more,
                "more_page": found.more_page,
            }
        )

    def load(episode_id: str) -> Any:
        from ..library.store import Library

        return Library(home.library).load(episode_id)

    def missing(episode_id: str) -> dict[str, Any]:
        from ..library.store import Library

        library = Library(home.library)
        return missing_view(episode_id, library.ids(), library.has(episode_id))

    def episode_page(request: Request) -> Response:
        try:
            episode = load(request.path_params["episode_id"])
        except LibraryError:
            context = {**missing(request.path_params["episode_id"]), "query": ""}
            return render(request, "missing.html", context, 404)
        query, error = _episode_query(request.query_params.get("q", ""))
        hits: list[Hit] = []
        places: list[Place] = []
        if query:
            try:  # every chapter that says the words, then every place in them
                hits = run(request, query, video=episode.id, limit=MAX_LIMIT)
                places = find_places(home.index, query, episode, hits)
            except ChapterSearchError as problem:  # said on the page, as `/` says it
                hits, places, error = [], [], str(problem)
        moment = _moment(request.query_params.get("t", ""))
        context = {**episode_view(episode, hits, moment, query, places), "error": error}
        return render(request, "episode.html", context, 400 if error else 200)

    def api_episode(request: Request) -> Response:
        try:
            episode = load(request.path_params["episode_id"])
        except LibraryError:
            error = missing(request.path_params["episode_id"])["error"]
            return JSONResponse({"error": error}, status_code=404)
        part = request.path_params.get("part")
        if part == "chapters":
            return JSONResponse([c.model_dump() for c in episode.chapters])
        if part == "transcript":
            return JSONResponse([c.model_dump() for c in episode.cues])
        if part:
            return JSONResponse({"error": f"no such part: {part}"}, status_code=404)
        return JSONResponse(episode.model_dump(mode="json", exclude={"cues", "fetched"}))

    catalogue = Catalogue(home.library)

    def library_page(request: Request) -> Response:
        try:
            number = int(request.query_params.get("page", "1"))
        except ValueError:
            number = 1
        show = request.query_params.get("show")
        context = browse_view(catalogue.summaries(), show, number)
        return render(
            request, "library.html", {**context, "unreadable": catalogue.unreadable, "query": ""}
        )

    def favicon(request: Request) -> Response:
        """Browsers ask for /favicon.ico where no page names an icon (the JSON API)."""
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    def api_docs(request: Request) -> Response:
        return render(request, "api.html", {"query": ""})

    routes = [
        Route("/", page),
        Route("/episodes/{episode_id}", episode_page),
        Route("/library", library_page),
        Route("/favicon.ico", favicon),
        Route("/api", api_docs),
        Route("/api/search", api_search),
        Route("/api/episodes/{episode_id}", api_episode),
        Route("/api/episodes/{episode_id}/{part}", api_episode),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    allowed = hosts or ["127.0.0.1", "localhost"]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(TrustedHostMiddleware, allowed_hosts=allowed),
        Middleware(SameSiteOnly, hosts=allowed),
    ]
    return Starlette(routes=routes, middleware=middleware)
