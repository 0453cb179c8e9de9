"""The engine's one entry point: ``python -m bot <rasa arguments>`` (ENGINE runtime).

``make run`` (serving), training, ``rasa data validate`` and ``rasa test`` all start the
engine this way (``chuangkou.stack.environment.engine_command``), so every one of them
runs with the engine's fixes to Rasa installed by one call
(:func:`bot.engine_patches.install`), and none depends on which channel or component
happens to be imported first. When a fix does not fit the installed Rasa (another
version, changed code) the engine refuses to start: exit status 1, and a message naming
the patch and what differed.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Install the engine's fixes, then hand over to Rasa's own command line."""
    from bot.engine_patches import PatchError, install

    try:
        install()
    except PatchError as e:
        sys.exit(f"chuangkou engine: refusing to start: {e}")
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
