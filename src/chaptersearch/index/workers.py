"""Rebuild's indexing processes, made to stop with their parent, and quietly.

Whoosh's multiprocess writer forks workers that wait on a queue for work. Left as they
are, Ctrl-C (sent to the whole process group) makes each print a traceback, the
writer's ``cancel`` cannot reach them (it sets a flag in the parent's copy), and when
the parent is killed outright they wait on their queue for ever, holding 100 MB or more
each. Here a worker ignores Ctrl-C (its parent decides), dies silently on SIGTERM, is
killed by the kernel when its parent dies (Linux's ``PR_SET_PDEATHSIG``; elsewhere a
thread notices the parent is gone), and ``cancel`` terminates the workers it started.
"""

import ctypes
import os
import signal
import sys
import threading
import time
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask

PR_SET_PDEATHSIG = 1
"""prctl(2): the signal the kernel sends this process when its parent dies."""

PARENT_CHECK_SECONDS = 1.0


def _die_with_parent() -> bool:
    """Ask Linux to kill this process when its parent dies; whether it agreed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    """Where the kernel cannot be asked: end this process once ``parent`` is gone (an
    orphan is adopted by another process, so its parent id changes)."""

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def stop_with_parent(parent: int) -> None:
    """Set up a worker of process ``parent``: no Ctrl-C, a silent SIGTERM, and death
    when the parent dies (at once, if it is already gone)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not _die_with_parent():
        _watch_parent(parent)
    if os.getppid() != parent:
        os._exit(1)


class QuietTask(SubWriterTask):  # type: ignore[misc]
    """Whoosh's worker, set up to stop with its parent before it takes any work."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.parent = os.getpid()
        self.daemon = True

    def run(self) -> None:
        stop_with_parent(self.parent)
        super().run()


class QuietMpWriter(MpWriter):  # type: ignore[misc]
    """Whoosh's multiprocess writer with quiet workers that ``cancel`` really stops."""

    def _new_task(self) -> QuietTask:
        task = QuietTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self) -> None:
        try:
            for task in self.tasks:
                if task.is_alive():
                    task.terminate()
            for task in self.tasks:
                task.join(timeout=5)
            # the queues' feeder threads would wait at exit for workers that are gone
            self.jobqueue.cancel_join_thread()
            self.resultqueue.cancel_join_thread()
        finally:
            super().cancel()
