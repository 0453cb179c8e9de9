"""The engine's one entry point: ``python -m bot <rasa arguments>`` (ENGINE runtime).

``make run`` (serving), training, ``rasa data validate`` and ``rasa test`` all start the
engine this way (``chuangkou.stack.environment.engine_command``), so every one of them
runs with the engine's fixes to Rasa installed (:mod:`bot.engine_patches`), and none
depends on which channel or component happens to be imported first.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Install the engine's fixes, then hand over to Rasa's own command line."""
    from bot.engine_patches import install

    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
