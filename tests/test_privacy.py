"""Phone validation and the sealed form that crosses the conversation."""

from __future__ import annotations

import pytest

from chuangkou.privacy import check_mobile, seal, unseal


@pytest.mark.parametrize(
    ("raw", "digits", "problem"),
    [
        ("13812344567", "13812344567", None),
        ("138 1234 4567", "13812344567", None),
        ("138-1234-4567", "13812344567", None),
        ("+86 138 1234 4567", "13812344567", None),
        ("008613812344567", "13812344567", None),
        ("0713-8661204", "07138661204", "landline"),
        ("010-88886666", "01088886666", "landline"),
        ("12812344567", "12812344567", "invalid"),
        ("1381234456", "1381234456", "invalid"),
        ("138123445678", "138123445678", "invalid"),
        ("abc", "", "invalid"),
    ],
)
def test_check_mobile(raw: str, digits: str, problem: str | None) -> None:
    checked = check_mobile(raw)
    assert (checked.digits, checked.problem) == (digits, problem)


def test_sealed_number_opens_only_with_the_secret() -> None:
    token = seal("13812344567", "s3cret")
    assert "13812344567" not in token
    assert unseal(token, "s3cret") == "13812344567"
    assert unseal(token, "other") is None
    assert unseal("not-a-token", "s3cret") is None
