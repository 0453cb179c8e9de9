"""Refuse to start, with a clear message, on settings that would be wrong or unsafe.

The checks are the settings' own (:meth:`chuangkou.settings.Settings.problems`), plus
environment variables that look like settings but are none: a typo, or a setting that
does not exist because what it would change is fixed (the engine and the action server
listen on 127.0.0.1 only, in every profile; only the gateway faces people).
"""

from __future__ import annotations

from collections.abc import Mapping

from chuangkou.settings import Settings, SettingsError, unknown_variables

# Settings people look for that do not exist on purpose, and why.
FIXED = {
    "CHUANGKOU_ENGINE_HOST": "the engine listens on 127.0.0.1 only",
    "CHUANGKOU_ACTIONS_HOST": "the action server listens on 127.0.0.1 only",
}


def startup_problems(env: Mapping[str, str]) -> list[str]:
    """Everything wrong with the environment for starting the gateway (empty when fine).

    Args:
        env: The environment variables.

    Returns:
        Human-readable problems, one per line.
    """
    try:
        settings = Settings.from_env(env)
    except SettingsError as exc:
        return [str(exc)]
    problems = settings.problems()
    for name in unknown_variables(env):
        reason = FIXED.get(name, "not a setting (see the README's table of settings)")
        problems.append(f"{name}: {reason}")
    return problems
