"""Keep a stack's processes running: one that dies unexpectedly is started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress


class Supervisor:
    """Keeps a stack's processes running: one that dies unexpectedly is started again.

    This is what lets a killed action server or engine come back on its own (with
    ``make run``); trackers and bookings live outside the processes, so a restarted one
    carries on. A process that keeps dying is given up on rather than restarted forever.
    """

    def __init__(self, *, interval: float = 0.5, max_restarts: int = 5, window: float = 60) -> None:
        self._starters: dict[str, Callable[[], subprocess.Popen[bytes]]] = {}
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._restarts: dict[str, list[float]] = {}
        self._interval = interval
        self._max_restarts = max_restarts
        self._window = window
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, name: str, start: Callable[[], subprocess.Popen[bytes]]) -> None:
        """Start a process now and remember how to start it again."""
        with self._lock:
            self._starters[name] = start
            self._procs[name] = start()
            self._restarts[name] = []

    def process(self, name: str) -> subprocess.Popen[bytes]:
        """The current process of that name."""
        with self._lock:
            return self._procs[name]

    def processes(self) -> dict[str, subprocess.Popen[bytes]]:
        """All current processes by name."""
        with self._lock:
            return dict(self._procs)

    def restarts(self, name: str) -> int:
        """How many times that process was restarted."""
        with self._lock:
            return len(self._restarts[name])

    def watch(self) -> None:
        """Begin restarting processes that exit (in a daemon thread)."""
        self._thread = threading.Thread(target=self._loop, name="supervisor", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            with self._lock:
                for name, proc in list(self._procs.items()):
                    if proc.poll() is None or self._stop.is_set():
                        continue
                    now = time.monotonic()
                    recent = [t for t in self._restarts[name] if now - t < self._window]
                    if len(recent) >= self._max_restarts:
                        continue  # crash loop: leave it down; its log says why
                    print(
                        f"chuangkou: {name} exited with {proc.returncode}; starting it again",
                        file=sys.stderr,
                        flush=True,
                    )
                    self._restarts[name] = [*recent, now]
                    self._procs[name] = self._starters[name]()

    def stop(self) -> None:
        """Stop watching, then stop every process group (SIGTERM, then SIGKILL)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        procs = self.processes().values()
        for proc in procs:
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    # Each process leads its own group: rasa-sdk serves from a spawned worker process,
    # which must go with it.
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
