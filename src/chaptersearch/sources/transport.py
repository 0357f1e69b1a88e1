"""HTTP for talking to YouTube: timeouts, bounded retries with backoff, and no-network
detection.

youtube-transcript-api turns a 429 into ``IpBlocked`` at once and retries nothing, so
retrying has to happen below it, in the ``requests`` adapter it is given. Transient
faults (timeouts, dropped connections, 5xx, 429) are retried a bounded number of times
with exponential backoff and full jitter, honouring a Retry-After header up to a cap.
A failed name lookup or an unreachable network means there is no network (or the proxy
is down): that is reported at once instead of retried, so the user is not kept waiting.
A refused connection is one host saying no (a local server that is not running): that
host's request fails at once, and the other sources are still read.
"""

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlparse

import requests
from requests.adapters import HTTPAdapter

from ..errors import ChapterSearchError, NetworkUnavailable

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up on one request."""

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 20.0
    timeout: tuple[float, float] = (5.0, 20.0)
    """Connect and read timeouts, in seconds: each covers one wait on the socket."""
    deadline: float = 60.0
    """The most one attempt may take, connecting, headers and body together: a server
    that sends a byte every few seconds never trips the read timeout."""
    budget: float = 30.0
    """The most all the waits between attempts may add up to (a huge Retry-After, or
    backoff after timeouts), so one address costs at most a minute and a half or so."""

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff: spreads retries from many clients apart."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


POLICY = RetryPolicy()
"""The policy every session gets unless given another."""


def retry_after(headers: Mapping[str, str], cap: float) -> float | None:
    """Seconds a Retry-After header asks for (as a number or an HTTP date), capped."""
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return max(0.0, min(seconds, cap))


def _is_no_network(error: requests.exceptions.ConnectionError) -> bool:
    text = repr(error)
    markers = (
        "NameResolutionError",
        "Name or service not known",
        "Temporary failure in name resolution",
        "nodename nor servname",
        "ProxyError",
        "Network is unreachable",
    )
    return isinstance(error, requests.exceptions.ProxyError) or any(m in text for m in markers)


class RetryingAdapter(HTTPAdapter):
    """An adapter that applies a ``RetryPolicy`` to every request it sends."""

    def __init__(self, policy: RetryPolicy, sleep: Callable[[float], None] | None = None) -> None:
        super().__init__()
        self.policy = policy
        self.sleep = sleep or time.sleep

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.policy.timeout
        last = self.policy.attempts - 1
        waited = 0.0

        def pause(seconds: float) -> bool:
            """Wait before the next attempt, unless that would overrun the budget."""
            nonlocal waited
            if waited + seconds > self.policy.budget:
                return False
            waited += seconds
            self.sleep(seconds)
            return True

        for attempt in range(self.policy.attempts):
            try:
                response = within(
                    self.policy.deadline,
                    lambda: super(RetryingAdapter, self).send(request, **kwargs),
                    f"{_host(request)} did not finish answering within "
                    f"{self.policy.deadline:.0f} s; try again later",
                )
            except requests.exceptions.ConnectionError as error:
                if _is_no_network(error):
                    raise NetworkUnavailable(_no_network_message(request, error)) from None
                if "Connection refused" in repr(error):
                    raise ConnectionRefused(_refused_message(request)) from None
                if attempt == last or not pause(self.policy.backoff(attempt)):
                    raise
                continue
            except requests.exceptions.Timeout:
                # a server that does not answer is asked once more, not four times
                if attempt >= min(last, 1) or not pause(self.policy.backoff(attempt)):
                    raise
                continue
            if response.status_code not in RETRY_STATUSES or attempt == last:
                return response
            wait = retry_after(response.headers, self.policy.max_delay)
            if not pause(self.policy.backoff(attempt) if wait is None else wait):
                return response
        raise AssertionError("unreachable")  # pragma: no cover


def _no_network_message(request: requests.PreparedRequest, error: Exception) -> str:
    host = urlparse(request.url or "").hostname or "YouTube"
    if isinstance(error, requests.exceptions.ProxyError):
        return "cannot reach the proxy: check --proxy (or CHAPTERSEARCH_PROXY) and try again"
    return f"cannot reach {host}: no network? Check the connection (or --proxy) and try again"


class TooSlow(ChapterSearchError):
    """A server that did not finish answering within the deadline."""


T = TypeVar("T")


def within(seconds: float, work: Callable[[], T], too_slow: str) -> T:
    """``work()``'s result, or TooSlow saying ``too_slow`` once it has taken ``seconds``:
    the work runs in a thread of its own, left behind to end when its socket does (it
    holds no lock and writes nothing), so no server can keep a command waiting longer."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as error:  # handed to the caller, as if raised there
            outcome.append((False, error))

    worker = threading.Thread(target=run, daemon=True, name="download")
    worker.start()
    worker.join(seconds)
    if not outcome:
        raise TooSlow(too_slow)
    succeeded, value = outcome[0]
    if not succeeded:
        raise value
    return value  # type: ignore[no-any-return]


def _host(request: requests.PreparedRequest) -> str:
    return urlparse(request.url or "").hostname or "the server"


class ConnectionRefused(ChapterSearchError):
    """One host refused the connection: the network works, that server does not answer."""


def _refused_message(request: requests.PreparedRequest) -> str:
    parsed = urlparse(request.url or "")
    where = f"{parsed.hostname}:{parsed.port}" if parsed.port else str(parsed.hostname)
    return f"cannot reach {where}: the connection was refused (is that server running?)"


def make_session(
    proxy: str | None = None,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
) -> requests.Session:
    """A session with retries and timeouts for youtube-transcript-api to use."""
    session = requests.Session()
    adapter = RetryingAdapter(policy or POLICY, sleep)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    if proxy:
        session.proxies = {"http": proxy, "https": proxy}
    return session


def redact(text: str, proxy: str | None) -> str:
    """Text with any proxy credentials blanked, for messages a user or a log will see."""
    if not proxy:
        return text
    parsed = urlparse(proxy)
    if parsed.username or parsed.password:
        userinfo = proxy.split("://", 1)[-1].split("@", 1)[0]
        text = text.replace(userinfo, "***")
    return text
