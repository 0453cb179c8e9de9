"""Train the model when stale, and start/stop the action server and the engine.

The engine runs from its own venv (``.venv-engine``, Rasa 3.6 on CPython 3.10); this
module (app runtime) only starts it as a subprocess, so Rasa's pins never meet ours.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from chuangkou.settings import PROJECT_ROOT, ensure_secret

ENGINE_VENV = PROJECT_ROOT / ".venv-engine"
APP_PYTHON = Path(sys.executable)
MODEL_NAME = "chuangkou"
# What a model is trained from: a change to any of these retrains, nothing else does.
TRAINING_INPUTS = (
    "config.yml",
    "bot/domain",
    "bot/components",
    "nlu_data/train",
    "build/nlu",
)


# What ``rasa train`` and ``rasa data validate`` read as data: the hand-written training
# examples and rules, and the lookup tables generated from the catalog.
TRAINING_DATA = ("nlu_data/train", "build/nlu/data")


def _files(root: Path, inputs: tuple[str, ...]) -> Iterator[Path]:
    for name in inputs:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix not in (".tmp", ".pyc") and "__pycache__" not in p.parts
            )


def training_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """A hash of every training input (paths and contents).

    Args:
        root: The project root.

    Returns:
        A hex digest that changes exactly when a training input changes.
    """
    digest = hashlib.sha256()
    for path in _files(root, TRAINING_INPUTS):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ModelPaths:
    """Where the trained model and its fingerprint live."""

    out_dir: Path

    @property
    def model(self) -> Path:
        """The model archive."""
        return self.out_dir / f"{MODEL_NAME}.tar.gz"

    @property
    def fingerprint(self) -> Path:
        """The fingerprint of the inputs the model was trained from."""
        return self.out_dir / f"{MODEL_NAME}.fingerprint"


def engine_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for an engine subprocess: the project on PYTHONPATH for custom components."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    if not env.get("CHUANGKOU_SECRET"):
        env["CHUANGKOU_SECRET"] = ensure_secret(PROJECT_ROOT / "build" / "secret.key")
    env.setdefault("CHUANGKOU_ACTIONS_PORT", "5055")
    # Rasa phones home and checks for updates; nothing may leave this machine.
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.update(extra or {})
    return env


def rasa_command(*args: str) -> list[str]:
    """The command line of the engine's ``rasa`` with these arguments."""
    return [str(ENGINE_VENV / "bin" / "rasa"), *args]


def run_training(out_dir: Path, *, fixed_name: str | None = None, quiet: bool = False) -> None:
    """Run a full ``rasa train`` of the project's training inputs into ``out_dir``.

    Raises:
        subprocess.CalledProcessError: When training fails.
    """
    args = [
        "train",
        "--config",
        "config.yml",
        "--domain",
        "bot/domain",
        "--data",
        *TRAINING_DATA,
        "--out",
        str(out_dir),
        "--force",
    ]
    if fixed_name:
        args += ["--fixed-model-name", fixed_name]
    subprocess.run(
        rasa_command(*args), cwd=PROJECT_ROOT, env=engine_env(), check=True, capture_output=quiet
    )


def train_if_stale(out_dir: Path, *, force: bool = False) -> bool:
    """Train the model when its inputs changed since the last training.

    Args:
        out_dir: Where models go (``build/models``).
        force: Train even when up to date.

    Returns:
        True when a training ran.

    Raises:
        subprocess.CalledProcessError: When ``rasa train`` fails.
    """
    paths = ModelPaths(out_dir)
    current = training_fingerprint()
    if (
        not force
        and paths.model.exists()
        and paths.fingerprint.exists()
        and paths.fingerprint.read_text().strip() == current
    ):
        return False
    out_dir.mkdir(parents=True, exist_ok=True)
    run_training(out_dir, fixed_name=MODEL_NAME)
    paths.fingerprint.write_text(current + "\n")
    return True


def wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until a URL answers 200, or fail.

    Args:
        url: The URL to poll.
        timeout: Seconds to wait.
        proc: The process that should serve it; waiting stops if it exits.

    Raises:
        TimeoutError: When it did not answer in time.
        RuntimeError: When the process exited first.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class StackConfig:
    """Ports, model and extra environment of one running stack."""

    model: Path
    engine_port: int = 5005
    actions_port: int = 5055
    env: Mapping[str, str] | None = None
    log_dir: Path | None = None
    gateway_port: int | None = None  # also start the public gateway when set
    extra_engine_ports: tuple[int, ...] = ()  # more engines (cluster profile)
    endpoints: str = "bot/endpoints.yml"


def start_engine(
    cfg: StackConfig, port: int, env: Mapping[str, str], out: int | IO[bytes]
) -> subprocess.Popen[bytes]:
    """Start one engine process on 127.0.0.1:``port`` (its own process group)."""
    return subprocess.Popen(
        rasa_command(
            "run",
            "--enable-api",
            "-i",
            "127.0.0.1",
            "-p",
            str(port),
            "--model",
            str(cfg.model),
            "--endpoints",
            cfg.endpoints,
            "--credentials",
            "bot/credentials.yml",
        ),
        cwd=PROJECT_ROOT,
        env=dict(env),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def cluster_env(
    app_url: str,
    tracker_db: str,
    *,
    lock_prefix: str = "chuangkou",
    redis: tuple[str, str, str] = ("127.0.0.1", "6379", "0"),
) -> dict[str, str]:
    """Environment of the scale-out profile (``bot/endpoints.cluster.yml``).

    Trackers go to database ``tracker_db`` on the same PostgreSQL server as the catalog
    and bookings (``app_url``), conversation locks to Redis.

    Args:
        app_url: The catalog/booking database URL (PostgreSQL).
        tracker_db: The tracker store's database name on that server.
        lock_prefix: Prefix of the lock keys in Redis (one per deployment or test run).
        redis: Host, port and database number of Redis.
    """
    from sqlalchemy.engine import make_url

    app = make_url(app_url)
    return {
        "DATABASE_URL": app_url,
        "CHUANGKOU_PROFILE": "cluster",
        "CHUANGKOU_PG_HOST": app.host or "127.0.0.1",
        "CHUANGKOU_PG_PORT": str(app.port or 5432),
        "CHUANGKOU_PG_USER": app.username or "postgres",
        "CHUANGKOU_PG_PASSWORD": app.password or "",
        "CHUANGKOU_TRACKER_DB": tracker_db,
        "CHUANGKOU_REDIS_HOST": redis[0],
        "CHUANGKOU_REDIS_PORT": redis[1],
        "CHUANGKOU_REDIS_DB": redis[2],
        "CHUANGKOU_LOCK_PREFIX": lock_prefix,
    }


def stack_env(cfg: StackConfig) -> dict[str, str]:
    """The environment every process of a stack gets."""
    return engine_env({"CHUANGKOU_ACTIONS_PORT": str(cfg.actions_port), **(cfg.env or {})})


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


@dataclass(frozen=True)
class RunningStack:
    """A started stack: where the engine answers, and its supervised processes."""

    base: str
    supervisor: Supervisor


@contextmanager
def started_stack(
    cfg: StackConfig, *, startup_timeout: float = 240, supervise: bool = False
) -> Iterator[RunningStack]:
    """Start the action server, the engine(s) and optionally the gateway; stop all on exit.

    Args:
        cfg: What to run.
        startup_timeout: Seconds to wait for each process to answer.
        supervise: Restart a process that dies (``make run``; tests that kill processes
            on purpose and restart them themselves leave this off).

    Yields:
        The running stack.
    """
    env = stack_env(cfg)
    logs = ExitStack()
    supervisor = Supervisor()

    def _out(name: str) -> int | IO[bytes]:
        if cfg.log_dir is None:
            return subprocess.DEVNULL
        cfg.log_dir.mkdir(parents=True, exist_ok=True)
        return logs.enter_context(open(cfg.log_dir / f"{name}.log", "ab"))

    def _actions() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                str(APP_PYTHON),
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "-p",
                str(cfg.actions_port),
            ],
            cwd=PROJECT_ROOT,
            env={**env, "SANIC_HOST": "127.0.0.1"},
            stdout=_out("actions"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _engine(port: int, name: str) -> subprocess.Popen[bytes]:
        return start_engine(cfg, port, env, _out(name))

    engine_ports = (cfg.engine_port, *cfg.extra_engine_ports)
    engine_urls = ",".join(f"http://127.0.0.1:{p}" for p in engine_ports)

    def _gateway() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(APP_PYTHON), "-m", "chuangkou.gateway"],
            cwd=PROJECT_ROOT,
            env={
                **env,
                "CHUANGKOU_GATEWAY_PORT": str(cfg.gateway_port),
                "CHUANGKOU_ENGINE_PORT": str(cfg.engine_port),
                "CHUANGKOU_ENGINE_URLS": engine_urls,
            },
            stdout=_out("gateway"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    try:
        supervisor.add("actions", _actions)
        for index, port in enumerate(engine_ports):
            name = f"engine{index or ''}"
            supervisor.add(name, partial(_engine, port, name))
        wait_http(
            f"http://127.0.0.1:{cfg.actions_port}/health",
            startup_timeout,
            supervisor.process("actions"),
        )
        for index, port in enumerate(engine_ports):
            wait_http(
                f"http://127.0.0.1:{port}/status",
                startup_timeout,
                supervisor.process(f"engine{index or ''}"),
            )
        if cfg.gateway_port is not None:
            supervisor.add("gateway", _gateway)
            wait_http(
                f"http://127.0.0.1:{cfg.gateway_port}/api/openapi.json",
                startup_timeout,
                supervisor.process("gateway"),
            )
        if supervise:
            supervisor.watch()
        yield RunningStack(f"http://127.0.0.1:{cfg.engine_port}", supervisor)
    finally:
        supervisor.stop()
        logs.close()


@contextmanager
def running_stack(cfg: StackConfig, *, startup_timeout: float = 240) -> Iterator[str]:
    """Start the action server and the engine on 127.0.0.1; stop both on exit.

    Args:
        cfg: What to run.
        startup_timeout: Seconds to wait for both to answer.

    Yields:
        The engine's base URL.
    """
    with started_stack(cfg, startup_timeout=startup_timeout) as stack:
        yield stack.base
