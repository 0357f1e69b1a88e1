"""Servers that never finish: a feed dripped a byte at a time, a server that never
answers, a Retry-After of a day. Real sockets on 127.0.0.1, served in this process; no
download may keep a command waiting past its deadline."""

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from chaptersearch.library.home import Home
from chaptersearch.sources import feed_http, transport

from .conftest import Run
from .feed_fakes import tiny_item, tiny_rss, tiny_vtt, transcript_tag
from .helpers import talk, vtt_text


class Server:
    """A TCP server on 127.0.0.1 that answers each connection with ``answer``."""

    def __init__(self, answer: "callable[[socket.socket], None]") -> None:  # type: ignore[valid-type]
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.answer = answer
        self.connections = 0
        self.requested: list[str] = []
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._one, args=(connection,), daemon=True).start()

    def _one(self, connection: socket.socket) -> None:
        try:
            self.requested.append(connection.recv(65536).split(b" ")[1].decode())
            self.answer(connection)
        except OSError:
            pass
        finally:
            connection.close()

    def url(self, path: str = "/feed.xml") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    made: list[Server] = []
    yield made
    for server in made:
        server.close()


def drip(connection: socket.socket) -> None:
    """Headers at once, then the body a byte every 0.2 s, for a minute."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n")
    for byte in b"<?xml version='1.0'?><rss><channel><title>Slow" * 10:
        connection.sendall(bytes([byte]))
        time.sleep(0.2)


def silent(connection: socket.socket) -> None:
    """Reads the request and never answers."""
    time.sleep(60)


def test_a_dripping_feed_is_given_up_at_its_deadline(
    run: Run, home: Home, servers: list[Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_http, "FETCH_SECONDS", 1.5)
    server = Server(drip)
    servers.append(server)
    started = time.monotonic()
    result = run("add", server.url())
    took = time.monotonic() - started
    assert result.exit_code == 2
    assert f"feed at {server.url()}: not read within 2 s" in result.stderr
    assert took < 10  # the drip would have lasted a minute and a half


def test_a_server_that_never_answers_is_given_up_at_the_attempts_deadline(
    run: Run, home: Home, servers: list[Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "POLICY", transport.RetryPolicy(deadline=1.0))
    monkeypatch.setattr(feed_http, "FETCH_SECONDS", 30.0)
    server = Server(silent)
    servers.append(server)
    started = time.monotonic()
    result = run("add", server.url())
    took = time.monotonic() - started
    assert result.exit_code == 2
    assert "127.0.0.1 did not finish answering within 1 s" in result.stderr
    assert took < 10 and server.connections == 1  # given up, not retried


def test_a_server_that_stops_answering_is_asked_twice_not_four_times(
    run: Run, home: Home, servers: list[Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = transport.RetryPolicy(timeout=(1.0, 0.5), base_delay=0.01)
    monkeypatch.setattr(transport, "POLICY", quick)
    server = Server(silent)
    servers.append(server)
    result = run("add", server.url())
    assert result.exit_code == 2
    assert "timed out" in result.stderr
    assert server.connections == 2


def test_a_retry_after_of_a_day_is_not_waited_for(
    run: Run, home: Home, servers: list[Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "POLICY", transport.RetryPolicy(budget=1.0))

    def busy(connection: socket.socket) -> None:
        connection.sendall(
            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 86400\r\nContent-Length: 0\r\n\r\n"
        )

    server = Server(busy)
    servers.append(server)
    started = time.monotonic()
    result = run("add", server.url())
    assert result.exit_code == 2
    assert "HTTP 503" in result.stderr
    assert time.monotonic() - started < 5 and server.connections == 1


def test_no_lock_is_held_while_a_transcript_downloads(
    run: Run, home: Home, servers: list[Server], tmp_path: Path
) -> None:
    """A feed whose transcript takes seconds to come: meanwhile another writer works
    (it had been refused: "index is busy")."""
    served: dict[str, bytes] = {}

    def answer(connection: socket.socket) -> None:
        path = server.requested[-1]
        if path.endswith(".vtt"):
            time.sleep(3)
        body = served[path]
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    server = Server(answer)
    servers.append(server)
    item = tiny_item(1, transcript_tag(server.url("/1.vtt")))
    served["/feed.xml"] = tiny_rss(item).encode()
    served["/1.vtt"] = tiny_vtt("slow words").encode()
    adding = subprocess.Popen(
        [sys.executable, "-m", "chaptersearch", "--home", str(home.root), "add", server.url()],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while "/1.vtt" not in server.requested:
            assert time.monotonic() < deadline and adding.poll() is None
            time.sleep(0.02)
        local = tmp_path / "local.vtt"
        local.write_text(vtt_text(talk(60.0, {})), encoding="utf-8")
        meanwhile = run("add", str(local))
        assert meanwhile.exit_code == 0, meanwhile.stderr
        assert "/1.vtt" in server.requested and adding.poll() is None  # still downloading
        _, stderr = adding.communicate(timeout=60)
    finally:
        adding.kill()
    assert adding.returncode == 0, stderr
    assert len(list(home.library.glob("*.json"))) == 2


@pytest.mark.parametrize("then", ["closes", "falls silent"])
def test_a_body_shorter_than_announced_is_one_clear_line(
    run: Run, home: Home, servers: list[Server], monkeypatch: pytest.MonkeyPatch, then: str
) -> None:
    """A Content-Length of 1,000 and ten bytes sent: the server closing the connection,
    or keeping it open without a word, had printed requests' raw words
    (``HTTPConnectionPool(…): Read timed out.``)."""
    monkeypatch.setattr(transport, "POLICY", transport.RetryPolicy(timeout=(1.0, 0.5)))

    def short(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<rss><cha")
        if then == "falls silent":
            time.sleep(5)

    server = Server(short)
    servers.append(server)
    result = run("add", server.url())
    assert result.exit_code == 2
    how = "timed out" if then == "falls silent" else "ended"
    assert result.stderr == (
        f"chaptersearch: feed at {server.url()}: {how} before the 1,000 bytes it announced\n"
    )
