"""``python -m bot.engine_patches``: each fix's Rasa code, its recorded and current fingerprint.

What to run after a Rasa upgrade (or when the engine refuses to start): every patch and
reliance with ``ok`` or ``CHANGED`` and the sha256 of the installed Rasa's source, to
record in :mod:`bot.engine_patches` once the fix has been reviewed against that code.
Exits 1 when anything differs. ``--names`` only lists the patches and tunings
:func:`~bot.engine_patches.install` installs, one a line (without importing Rasa).
"""

from __future__ import annotations

import argparse
import sys

from bot.engine_patches import PATCHES, RASA_VERSION, RELIANCES, TUNINGS
from bot.engine_patches.registry import PatchError, fingerprint, resolve


def _current(target: str) -> str:
    try:
        return fingerprint(resolve(target).value)
    except PatchError as e:
        return f"unreadable: {e}"


def main(argv: list[str] | None = None) -> int:
    """Print the fingerprint table (or the names); 1 when anything differs."""
    parser = argparse.ArgumentParser(prog="python -m bot.engine_patches")
    parser.add_argument("--names", action="store_true", help="list what install() installs")
    args = parser.parse_args(argv)
    if args.names:
        for name in [p.name for p in PATCHES] + [t.name for t in TUNINGS]:
            print(name)
        return 0
    import rasa

    changed = rasa.__version__ != RASA_VERSION
    print(f"Rasa {rasa.__version__} (the patches were written for {RASA_VERSION})")
    rows = [("replaces", p.name, p.target, p.fingerprint) for p in PATCHES]
    rows += [("relies on", r.name, r.target, r.fingerprint) for r in RELIANCES]
    for kind, name, target, recorded in rows:
        current = _current(target)
        status = "ok" if current == recorded else "CHANGED"
        changed = changed or status != "ok"
        print(f"{status:8} {name} {kind} {target}\n         sha256 {current}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
