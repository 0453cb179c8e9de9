"""Browser tests: Debian's Chromium driven by Playwright, against a running stack + gateway."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chuangkou.catalog.files import read_catalog
from chuangkou.catalog.store import load_catalog
from chuangkou.db import make_engine
from chuangkou.migrate import upgrade
from chuangkou.settings import PROJECT_ROOT
from chuangkou.stack import StackConfig, running_stack
from tests.utils.stack import stack_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = PROJECT_ROOT / "build" / "screenshots"
pytestmark = pytest.mark.engine


@pytest.fixture(scope="session")
def site(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Engine, action server and gateway over a fresh database; yields URLs and the DB."""
    db = tmp_path_factory.mktemp("browser") / "browser.db"
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    upgrade(engine)
    load_catalog(engine, read_catalog(PROJECT_ROOT / "catalog"), source="browser")
    cfg = StackConfig.from_settings(
        stack_settings(url), gateway=True, log_dir=tmp_path_factory.mktemp("browser-logs")
    )
    with running_stack(cfg):
        yield {"url": cfg.gateway_url, "engine": engine}
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian (Playwright's own download is not available here).

    Module-scoped: Playwright's sync API keeps an event loop alive while open, which must
    be gone before the asyncio tests of other folders run.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


def shot(page: Any, name: str) -> None:
    """Save a screenshot as a test artefact (build/screenshots, ignored by git)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


# JavaScript shared by the contrast checks: parse a CSS colour, composite the backgrounds
# up the tree, and the WCAG 2 relative luminance. Pasted inside a page function.
CONTRAST_HELPERS_JS = """
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const blend = (top, under) =>
    [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const behind = (el) => { const layers = [];
    for (let n = el; n; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    return layers.reverse().reduce((under, layer) => blend(layer, under), [255, 255, 255, 1]); };
  const lum = (c) => { const f = (v) => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
"""
