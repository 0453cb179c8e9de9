"""``chuangkou train``, ``run`` and ``chat``: the model and the running stack."""

from __future__ import annotations

import argparse
import signal
import time

from chuangkou.settings import Settings


def _train(settings: Settings, args: argparse.Namespace) -> int:
    from chuangkou.stack.training import train_if_stale

    trained = train_if_stale(settings, force=args.force)
    print("model trained" if trained else "model up to date (inputs unchanged)")
    return 0


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


BANNER = """
chuangkou is running ({profile} profile):
  chat widget   {gw}/
  hall kiosk    {gw}/kiosk
  clerk console {gw}/clerk   (accounts: .venv-app/bin/chuangkou clerk add NAME --office HG)
  public API    {gw}/api/openapi.json   (WeChat connector at {gw}/wechat)
  engine        {engines}   (127.0.0.1 only: Rasa HTTP API and REST channel)
  action server http://127.0.0.1:{actions}/webhook   (127.0.0.1 only)
Chat in a terminal:   make chat
Or with curl:
  curl -s {gw}/api/chat -H 'Content-Type: application/json' \\
       -d '{{"message":"电梯使用登记需要什么材料"}}'
Ctrl-C stops everything."""


def _run(settings: Settings, _args: argparse.Namespace) -> int:
    from chuangkou.stack.runner import StackConfig, started_stack

    # `kill` (SIGTERM) must stop the children just like Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    cfg = StackConfig.from_settings(settings, gateway=True, log_dir=settings.log_dir)
    print(f"starting the {settings.profile} stack (logs in {settings.log_dir}) ...", flush=True)
    try:
        # Supervised: an action server or engine that dies is started again.
        with started_stack(cfg, supervise=True):
            print(
                BANNER.format(
                    profile=settings.profile,
                    gw=f"http://{settings.gateway_host}:{settings.gateway_port}",
                    engines=", ".join(settings.engine_urls),
                    actions=settings.actions_port,
                ),
                flush=True,
            )
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        print("\nstopped")
    return 0


def _chat(settings: Settings, _args: argparse.Namespace) -> int:
    from chuangkou.chat import repl

    print(
        f"chatting with {settings.engine_url} — type a question, a number picks a button, "
        "Ctrl-D ends"
    )
    repl(settings.engine_url)
    return 0


def register(top: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add train, run and chat."""
    train = top.add_parser("train", help="train the model when its inputs changed")
    train.add_argument("--force", action="store_true", help="train even if up to date")
    train.set_defaults(func=_train)
    top.add_parser("run", help="start the whole stack").set_defaults(func=_run)
    top.add_parser("chat", help="chat in the terminal").set_defaults(func=_chat)
