"""The `chuangkou catalog …` commands, run as a person or script would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from chuangkou.settings import PROJECT_ROOT

ITEM_KEYS = {
    "code",
    "name",
    "aliases",
    "category",
    "window",
    "status",
    "sub_items",
    "business_types",
    "time_limit",
    "fee",
    "accepting_offices",
    "deciding_authority",
    "legal_basis",
    "process",
    "source",
}


def _cli(
    tmp_path: Path, *args: str, catalog: Path | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "CHUANGKOU_CATALOG_DIR": str(catalog or PROJECT_ROOT / "catalog"),
        "CHUANGKOU_BUILD_DIR": str(tmp_path / "build"),
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "chuangkou.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    assert _cli(tmp_path, "catalog", "load").returncode == 0
    return tmp_path


def test_validate_and_load_twice(tmp_path: Path) -> None:
    assert "28 items" in _cli(tmp_path, "catalog", "validate").stdout
    first = _cli(tmp_path, "catalog", "load")
    second = _cli(tmp_path, "catalog", "load")
    assert "loaded" in first.stdout and "unchanged" in second.stdout


def test_list_json(loaded: Path) -> None:
    rows = json.loads(_cli(loaded, "catalog", "list", "--json").stdout)
    assert len(rows) == 28 and {"code", "name", "category"} <= rows[0].keys()


@pytest.mark.parametrize(
    "text", ["特种设备使用登记", "电梯登记", "FW01", "fw01", "特種設備使用登記"]
)
def test_show_by_name_alias_code(loaded: Path, text: str) -> None:
    result = _cli(loaded, "catalog", "show", text, "--json")
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)
    assert item["code"] == "FW01"
    assert item.keys() >= ITEM_KEYS
    assert {"statutory_days", "promised_days"} <= item["time_limit"].keys()
    docs = item["business_types"][0]["documents"]
    assert {"name", "form", "copies", "required", "condition", "note"} <= docs[0].keys()


def test_show_stopped_item_carries_note(loaded: Path) -> None:
    item = json.loads(_cli(loaded, "catalog", "show", "组织机构代码证", "--json").stdout)
    assert item["status"] == "stopped" and item["status_note"] and item["redirect"]


def test_show_ambiguous_exits_2_with_candidates(loaded: Path) -> None:
    result = _cli(loaded, "catalog", "show", "电梯", "--json")
    assert result.returncode == 2
    assert len(json.loads(result.stdout)["candidates"]) >= 2


def test_show_not_found_exits_1(loaded: Path) -> None:
    assert _cli(loaded, "catalog", "show", "办护照", "--json").returncode == 1


def test_search_json(loaded: Path) -> None:
    rows = json.loads(_cli(loaded, "catalog", "search", "计量", "--json").stdout)
    assert sum("计量" in r["name"] for r in rows) >= 3


def test_bad_catalog_exits_1_and_names_the_problem(tmp_path: Path) -> None:
    import shutil

    bad = tmp_path / "catalog"
    shutil.copytree(PROJECT_ROOT / "catalog", bad)
    path = bad / "items" / "SP01.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["fee"]["amount"] = "free"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = _cli(tmp_path, "catalog", "load", catalog=bad)
    assert result.returncode == 1
    assert "catalog/items/SP01.yml: item SP01" in result.stderr and "fee.amount" in result.stderr
    assert not (tmp_path / "cli.db").exists() or _cli(tmp_path, "catalog", "list").returncode == 1


def test_query_before_load_is_a_clear_error(tmp_path: Path) -> None:
    result = _cli(tmp_path, "catalog", "list")
    assert result.returncode == 1 and "chuangkou catalog load" in result.stderr


def test_slots_json(loaded: Path) -> None:
    result = _cli(
        loaded,
        "slots",
        "--office",
        "麻城",
        "--window",
        "行政服务",
        "--date",
        "2030-12-02",
        "--json",
    )
    data = json.loads(result.stdout)
    assert data["office"] == "MC" and data["schedule_known"] is False
    assert [s["time"] for s in data["slots"]][:2] == ["08:30", "09:00"]
    assert all(s["free"] == s["capacity"] for s in data["slots"])


def test_slots_closed_day_and_bad_input(loaded: Path) -> None:
    closed = json.loads(
        _cli(
            loaded,
            "slots",
            "--office",
            "HG",
            "--window",
            "行政审批",
            "--date",
            "2026-10-01",
            "--json",
        ).stdout
    )
    assert closed["open"] is False and closed["slots"] == []
    assert (
        _cli(
            loaded, "slots", "--office", "火星", "--window", "行政审批", "--date", "2026-12-01"
        ).returncode
        == 1
    )
    assert (
        _cli(
            loaded, "slots", "--office", "HG", "--window", "行政审批", "--date", "2026-02-30"
        ).returncode
        == 2
    )


def test_bookings_list_empty_and_unknown_ref(loaded: Path) -> None:
    rows = _cli(loaded, "bookings", "list", "--office", "HG", "--date", "2026-12-01", "--json")
    assert json.loads(rows.stdout) == []
    marked = _cli(loaded, "bookings", "mark", "ZZZZZZZZ", "served", "--clerk", "wang")
    assert marked.returncode == 1 and "not_found" in marked.stderr


def test_slot_length_is_configurable(loaded: Path) -> None:
    env_args = ("slots", "--office", "HG", "--window", "行政服务", "--date", "2030-12-02", "--json")
    default = json.loads(_cli(loaded, *env_args).stdout)["slots"]
    hourly = json.loads(_cli(loaded, *env_args, CHUANGKOU_SLOT_MINUTES="60").stdout)["slots"]
    assert len(hourly) < len(default) and hourly[1]["time"] == "09:30"


def test_clerk_add(loaded: Path) -> None:
    def add(*args: str, password: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{loaded / 'cli.db'}"}
        return subprocess.run(
            [sys.executable, "-m", "chuangkou.cli", "clerk", "add", *args, "--password-stdin"],
            input=password + "\n",
            capture_output=True,
            text=True,
            env=env,
            cwd=PROJECT_ROOT,
            timeout=60,
        )

    assert add("wang", "--office", "HG", password="a-long-password").returncode == 0
    assert "exists" in add("wang", "--office", "HG", password="a-long-password").stderr
    assert "weak_password" in add("li", "--office", "HG", password="short").stderr
    assert "bad_username" in add("Bad Name", "--office", "HG", password="a-long-password").stderr
    # An office clerk needs a real office; only an explicit grant sees every office.
    assert "no_office" in add("zhao", password="a-long-password").stderr
    assert "unknown office" in add("zhao", "--office", "XX", password="a-long-password").stderr
    assert add("chen", "--supervisor", password="a-long-password").returncode == 0
