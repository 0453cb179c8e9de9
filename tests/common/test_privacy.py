"""One masking rule for every channel; phone validation; the sealed form."""

from __future__ import annotations

import re

import pytest

from common.privacy import (
    MASK_PATTERNS,
    check_mobile,
    mask_and_seal,
    mask_number,
    mask_text,
    seal,
    unseal,
)


@pytest.mark.parametrize(
    ("raw", "digits", "problem"),
    [
        ("13812344567", "13812344567", None),
        ("138 1234 4567", "13812344567", None),
        ("138-1234-4567", "13812344567", None),
        ("+86 138 1234 4567", "13812344567", None),
        ("008613812344567", "13812344567", None),
        ("１３８１２３４４５６７", "13812344567", None),
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


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的手机13812344567", "我的手机138****4567"),
        ("电话 138 1234 4567 谢谢", "电话 138****4567 谢谢"),
        ("+86 139-1234-5678", "139****5678"),
        ("+86 13912345678", "139****5678"),
        ("008613912345678", "139****5678"),
        ("张伟，１３８７１２３４５６７", "张伟，138****4567"),
        ("身份证420102199001011234", "身份证420***********1234"),
        ("身份证42010219900101123X", "身份证420***********123X"),
        ("身份证42010219900101123x号", "身份证420***********123X号"),
        ("座机0713-8661204", "座机071****1204"),
        ("编号1234567", "编号***4567"),
        # Dates, times, references and short numbers are not personal numbers.
        ("2026-12-10（周四）09:00", "2026-12-10（周四）09:00"),
        ("取消预约 K7M3Q9XA", "取消预约 K7M3Q9XA"),
        # A reference that happens to end in 86 is not a +86 before the number.
        ("改约 SNS67K86 13937810576", "改约 SNS67K86 139****0576"),
        ("8台电梯，3个窗口", "8台电梯，3个窗口"),
        ("", ""),
    ],
)
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text).text == masked


def test_one_rule_for_ids_and_phones() -> None:
    assert mask_number("42010219900101123X") == "420***********123X"
    assert mask_number("+86 138 1234 4567") == mask_number("13812344567") == "138****4567"
    assert mask_number("123") == "***"


def test_payloads_mask_only_mobiles() -> None:
    payload = '/choose_slot{"booking_slot":"2026-12-10 09:00"}'
    assert mask_text(payload, payload=True).text == payload
    assert "13812344567" not in mask_text('/x{"p":"13812344567"}', payload=True).text


def test_the_first_phone_is_sealed_not_the_id() -> None:
    text, sealed = mask_and_seal("身份证42010219900101123X，电话13871234567", "s3cret")
    assert "13871234567" not in text and "4201021990" not in text
    assert sealed is not None and unseal(sealed, "s3cret") == "13871234567"
    assert mask_and_seal("没有号码", "s3cret") == ("没有号码", None)
    assert mask_and_seal("13871234567", None)[1] is None


def test_patterns_are_portable_to_browsers() -> None:
    # The pages get MASK_PATTERNS as strings: no Python-only syntax, no \d (which means
    # every Unicode digit in Python and only ASCII digits in JavaScript).
    for _name, pattern in MASK_PATTERNS:
        assert "\\d" not in pattern and "(?P" not in pattern
        re.compile(pattern)


def test_sealed_number_opens_only_with_the_secret() -> None:
    token = seal("13812344567", "s3cret")
    assert "13812344567" not in token
    assert unseal(token, "s3cret") == "13812344567"
    assert unseal(token, "other") is None
    assert unseal("not-a-token", "s3cret") is None
