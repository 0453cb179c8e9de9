"""The engine's fixes to Rasa (bot/engine_patches): installed once, checked, switchable.

Everything here runs in the engine runtime (the engine's Python, the stack's environment):

- ``python -m bot`` (every engine command) installs every patch with one call and says so
  in one line; :func:`installed_patches` reads that line from any engine command's
  output (the stories test uses it to prove ``rasa test`` ran patched);
- the fingerprints recorded in the code are those of the installed Rasa, and a changed
  Rasa (another version, a replaced or wrapped function) makes the engine refuse to
  start, naming the patch and what differed, with nothing installed;
- ``CHUANGKOU_ENGINE_PATCHES=off`` (or 0, false, no) installs nothing and checks nothing;
- the response-validation shortcut and the shared HTTP session agree with Rasa's own.

Their effect on whole conversations is covered by every engine test (the stories, the
end-to-end and fault tests run with them); the graph runner is compared with dask in
``test_engine_graph_runner.py``, the tracker store in ``test_engine_tracker_store.py``.
"""

from __future__ import annotations

import functools
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from chuangkou.settings import PROJECT_ROOT, Settings
from chuangkou.stack.environment import ENGINE_VENV, engine_command, process_env

pytestmark = pytest.mark.engine

ENGINE_PYTHON = str(ENGINE_VENV / "bin" / "python")
_INSTALLED = re.compile(r"engine patches: installed (\d+) on Rasa (\S+) \(([^)]*)\)")


def installed_patches(output: str) -> list[str]:
    """The patches an engine command's output says ``python -m bot`` installed.

    Args:
        output: The command's stdout and stderr.

    Returns:
        Their names, in order; empty when the line is missing (the command did not start
        through ``python -m bot``, or the patches were off).
    """
    found = _INSTALLED.search(output)
    return found.group(3).split(", ") if found else []


@functools.cache
def expected_patches() -> list[str]:
    """Every patch and tuning ``bot.engine_patches.install`` installs (from its table)."""
    listed = subprocess.run(
        [ENGINE_PYTHON, "-m", "bot.engine_patches", "--names"],
        cwd=PROJECT_ROOT,
        env=process_env(Settings()),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return listed.stdout.split()


def _engine(
    code: str | None = None, *args: str, switch: str = "1"
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` (or ``python -m bot ARGS``) in the engine runtime."""
    env = process_env(Settings())
    env["CHUANGKOU_ENGINE_PATCHES"] = switch
    command = [ENGINE_PYTHON, "-c", textwrap.dedent(code)] if code else engine_command(*args)
    return subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _out(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr[-4000:]


# What runs the entry point on `--version` after a change to Rasa, then says whether
# anything got installed and whose DaskGraphRunner.run is in place.
_START = """
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.utils.endpoints import EndpointConfig
    from bot.engine_patches import installed
    from bot.__main__ import main
    sys.argv = ["bot", "--version"]
    try:
        main()
    finally:
        print("installed:", sorted(installed()))
        print("run from:", DaskGraphRunner.run.__module__)
"""


def _start_changed(change: str) -> str:
    return "import sys\n" + textwrap.dedent(change) + textwrap.dedent(_START)


def test_entry_point_installs_every_patch_in_one_line() -> None:
    done = _engine(None, "--version")
    assert done.returncode == 0, _out(done)
    assert "Rasa Version" in done.stdout and "3.6.21" in done.stdout
    lines = [line for line in done.stderr.splitlines() if "engine patches:" in line]
    assert len(lines) == 1, _out(done)
    assert installed_patches(done.stderr) == expected_patches()
    assert set(expected_patches()) >= {
        "action_calls.validation",
        "action_calls.shared_session",
        "graph_runner.run",
        "gc_tuning.load_model",
        "gc_tuning.parse_message",
        "gc_tuning.young_threshold",
    }


def test_install_replaces_each_target_and_records_matching_fingerprints() -> None:
    done = _engine(
        """
        import gc
        from rasa.utils.endpoints import EndpointConfig
        from bot.engine_patches import PATCHES, SWITCH, PatchError, enabled, install, installed
        from bot.engine_patches.__main__ import main as fingerprint_table
        from bot.engine_patches.gc_tuning import YOUNG_THRESHOLD

        assert fingerprint_table([]) == 0, "a recorded fingerprint is not the installed Rasa's"
        line = install()
        assert install() == line, "a second call installs again"
        got = installed()
        assert sorted(got) == sorted(p.name for p in PATCHES), sorted(got)
        for name, patch in got.items():
            assert vars(patch.owner)[patch.attribute] is patch.replacement, name
            assert patch.replacement is not patch.original, name
            assert patch.replacement.__module__.startswith("bot.engine_patches."), name
            assert patch.original.__module__.startswith("rasa."), name
        # The action-call seam is the session; Rasa's request itself runs unchanged.
        assert EndpointConfig.request.__module__ == "rasa.utils.endpoints"
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        for value in ("off", "0", "false", "no", "OFF", " No "):
            assert enabled({SWITCH: value}) is False, value
        for value in ("", "1", "true", "yes", "on"):
            assert enabled({SWITCH: value}) is True, value
        try:
            enabled({SWITCH: "maybe"})
        except PatchError as e:
            assert SWITCH in str(e)
        else:
            raise AssertionError("'maybe' accepted")
        print("checked", len(got))
        """
    )
    assert done.returncode == 0, _out(done)
    assert "checked 5" in done.stdout
    assert "CHANGED" not in done.stdout


_CHANGED_RASA = '''
import functools


def run(self, inputs=None, targets=None):
    """Another release's DaskGraphRunner.run."""
    return {}


def wrapped(rasa_request):
    """Someone else's patch, wrapped to look like Rasa's own function."""

    @functools.wraps(rasa_request)
    async def request(self, *args, **kwargs):
        return await rasa_request(self, *args, **kwargs)

    return request
'''


def test_a_changed_rasa_function_refuses_to_start(tmp_path: Path) -> None:
    (tmp_path / "changed_rasa.py").write_text(_CHANGED_RASA, encoding="utf-8")
    change = f"""
    sys.path.insert(0, {str(tmp_path)!r})
    import changed_rasa
    from rasa.core.agent import Agent
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.utils.endpoints import EndpointConfig
    DaskGraphRunner.run = changed_rasa.run
    EndpointConfig.request = changed_rasa.wrapped(EndpointConfig.request)
    Agent.load_model = lambda self, *args, **kwargs: None  # code with no source file
    """
    done = _engine(_start_changed(change))
    assert done.returncode == 1, _out(done)
    assert "Rasa Version" not in done.stdout, "the engine started"
    assert "installed: []" in done.stdout, "something was installed before the refusal"
    assert "run from: changed_rasa" in done.stdout
    message = done.stderr
    assert "refusing to start" in message
    # Every difference is named, each with the patch, the Rasa object and what differed.
    assert (
        "graph_runner.run replaces rasa.engine.runner.dask.DaskGraphRunner.run, "
        "whose source changed"
    ) in message
    assert str(tmp_path / "changed_rasa.py") in message, "the message says where the code is"
    assert (
        "action_calls.shared_session relies on rasa.utils.endpoints.EndpointConfig.request, "
        "whose source changed"
    ) in message, "a wrapper is not taken for the function it wraps"
    assert (
        "gc_tuning.load_model replaces rasa.core.agent.Agent.load_model, "
        "but its source cannot be read"
    ) in message
    assert "python -m bot.engine_patches" in message, "the message says what to do"


def test_another_rasa_version_refuses_to_start() -> None:
    done = _engine(_start_changed("import rasa\nrasa.__version__ = '3.7.0'\n"))
    assert done.returncode == 1, _out(done)
    assert "Rasa Version" not in done.stdout
    assert "installed: []" in done.stdout
    assert "written for Rasa 3.6.21, this engine has Rasa 3.7.0" in done.stderr


@pytest.mark.parametrize("switch", ["off", "0"])
def test_switched_off_nothing_is_installed_or_checked(switch: str) -> None:
    change = "import rasa\nrasa.__version__ = '3.7.0'  # not checked when off\n"
    done = _engine(_start_changed(change), switch=switch)
    assert done.returncode == 0, _out(done)
    assert "Rasa Version" in done.stdout
    assert "installed: []" in done.stdout
    assert "run from: rasa.engine.runner.dask" in done.stdout
    assert f"engine patches: off (CHUANGKOU_ENGINE_PATCHES={switch})" in done.stderr
    assert installed_patches(done.stderr) == []


def test_action_call_patches_agree_with_rasa() -> None:
    done = subprocess.run(
        [ENGINE_PYTHON, "-m", "bot.engine_patches.selfcheck"],
        cwd=PROJECT_ROOT,
        env=process_env(Settings()),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, _out(done)
    assert "the shared session, 0 disagreements" in done.stdout
