"""Run the gateway: ``python -m chuangkou.gateway`` (``make run`` starts it for you)."""

from __future__ import annotations

import logging
import os
import sys

from aiohttp import web

from chuangkou.gateway.app import create_app
from chuangkou.gateway.startup import startup_problems
from chuangkou.settings import Settings


def main() -> None:
    """Serve the gateway on the configured host and port."""
    logging.basicConfig(level=logging.INFO)
    problems = startup_problems(os.environ)
    if problems:
        print("chuangkou gateway not started:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        sys.exit(2)
    settings = Settings.from_env(os.environ)
    web.run_app(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
