"""Run the project: train when stale, and start, supervise and stop the processes.

- :mod:`.training`: what a model is trained from, its fingerprint, ``rasa train``.
- :mod:`.environment`: the environment and command lines of the child processes.
- :mod:`.supervisor`: restarting a process that dies.
- :mod:`.runner`: :class:`StackConfig` (built from :class:`~chuangkou.settings.Settings`)
  and starting a whole stack.

The engine runs from its own venv (``.venv-engine``, Rasa 3.6 on CPython 3.10); this
package (app runtime) only starts it as a subprocess, so Rasa's pins never meet ours.
"""

from chuangkou.stack.runner import (
    RunningStack,
    StackConfig,
    running_stack,
    started_stack,
    wait_http,
)

__all__ = ["RunningStack", "StackConfig", "running_stack", "started_stack", "wait_http"]
