"""Start the action server, the engine(s) and optionally the gateway; stop them all.

A :class:`StackConfig` is built from :class:`~chuangkou.settings.Settings` in one place,
:meth:`StackConfig.from_settings`: ``make run``, the benchmarks and the tests all start
their stacks that way, with settings of their own (ports, database, profile).
"""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

from chuangkou.db import ensure_database
from chuangkou.settings import LOOPBACK, PROJECT_ROOT, Settings
from chuangkou.stack.environment import APP_PYTHON, endpoints_file, engine_command, process_env
from chuangkou.stack.supervisor import Supervisor


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


@dataclass(frozen=True)
class StackConfig:
    """What one stack runs: its settings, whether a gateway too, where the logs go."""

    settings: Settings
    gateway: bool = False
    log_dir: Path | None = None
    actions_via: int | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        gateway: bool = False,
        log_dir: Path | None = None,
        actions_via: int | None = None,
    ) -> StackConfig:
        """The stack of some settings (the one place a stack's configuration is made).

        Args:
            settings: Ports, database, profile, model.
            gateway: Also start the public gateway.
            log_dir: Where the processes' logs go (discarded when None).
            actions_via: The port the engines call the action server on when something
                sits between them (the fault tests' proxy); its own port otherwise.

        Returns:
            The configuration.

        Raises:
            ValueError: When the settings have problems (the message lists them).
        """
        problems = settings.problems()
        if problems:
            raise ValueError("; ".join(problems))
        return cls(settings, gateway, log_dir, actions_via)

    def engine_env(self) -> dict[str, str]:
        """The engines' environment: the stack's, with the action server's address."""
        env = process_env(self.settings)
        if self.actions_via is not None:
            env["CHUANGKOU_ACTIONS_PORT"] = str(self.actions_via)
        return env

    @property
    def model(self) -> Path:
        """The model the engines serve."""
        return self.settings.model_path

    @property
    def endpoints(self) -> str:
        """Rasa's endpoints file of the profile."""
        return endpoints_file(self.settings)

    @property
    def gateway_url(self) -> str:
        """The gateway's base URL."""
        return f"http://{LOOPBACK}:{self.settings.gateway_port}"


def start_engine(cfg: StackConfig, port: int, out: int | IO[bytes]) -> subprocess.Popen[bytes]:
    """Start one engine process on 127.0.0.1:``port`` (its own process group)."""
    return subprocess.Popen(
        engine_command(
            "run",
            "--enable-api",
            "-i",
            LOOPBACK,
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
        env=cfg.engine_env(),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@dataclass(frozen=True)
class RunningStack:
    """A started stack: where the engine answers, and its supervised processes."""

    base: str
    supervisor: Supervisor
    config: StackConfig


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
    settings = cfg.settings
    env = process_env(settings)
    if settings.cluster:
        tracker_url = make_url(settings.database_url).set(database=settings.tracker_db)
        ensure_database(tracker_url.render_as_string(hide_password=False))
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
                str(settings.actions_port),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=_out("actions"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _engine(port: int, name: str) -> subprocess.Popen[bytes]:
        return start_engine(cfg, port, _out(name))

    def _gateway() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(APP_PYTHON), "-m", "chuangkou.gateway"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=_out("gateway"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _name(index: int) -> str:
        return f"engine{index or ''}"

    try:
        supervisor.add("actions", _actions)
        for index, port in enumerate(settings.engine_ports):
            supervisor.add(_name(index), partial(_engine, port, _name(index)))
        wait_http(
            f"http://{LOOPBACK}:{settings.actions_port}/health",
            startup_timeout,
            supervisor.process("actions"),
        )
        for index, port in enumerate(settings.engine_ports):
            wait_http(
                f"http://{LOOPBACK}:{port}/status",
                startup_timeout,
                supervisor.process(_name(index)),
            )
        if cfg.gateway:
            supervisor.add("gateway", _gateway)
            wait_http(
                f"{cfg.gateway_url}/api/openapi.json",
                startup_timeout,
                supervisor.process("gateway"),
            )
        if supervise:
            supervisor.watch()
        yield RunningStack(settings.engine_url, supervisor, cfg)
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
