"""Normalisation shared by both runtimes."""

from __future__ import annotations

import pytest

from common.folding import MAX_MATCH_CHARS, normalize, to_simplified


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("電梯使用登記", "电梯使用登记"),
        ("ＣＭＡ　认证", "cma认证"),
        (" 电梯，使用 登记！！ ", "电梯使用登记"),
        ("制造、修理计量器具许可", "制造修理计量器具许可"),
        ("场(厂)内专用机动车辆", "场厂内专用机动车辆"),
        ("😀", ""),
        ("", ""),
    ],
)
def test_normalize(raw: str, key: str) -> None:
    assert normalize(raw) == key


def test_normalize_bounds_length() -> None:
    assert len(normalize("字" * 10_000)) == MAX_MATCH_CHARS


def test_to_simplified_keeps_punctuation() -> None:
    assert to_simplified("營業執照，身份證") == "营业执照,身份证"
