"""One typed Settings: read from the environment, handed to child processes, checked."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from chuangkou.settings import (
    CLUSTER_DATABASE_URL,
    VARIABLES,
    Settings,
    SettingsError,
    unknown_variables,
)


def test_every_field_has_one_variable() -> None:
    names = set(VARIABLES)
    assert names == {f for f in Settings.__dataclass_fields__}
    assert len(set(VARIABLES.values())) == len(VARIABLES)


def test_to_env_and_back_is_the_same_settings() -> None:
    settings = replace(
        Settings(),
        profile="cluster",
        database_url="postgresql+psycopg://u:p@db:5433/x",
        engine_port=6000,
        engines=3,
        secure_cookies=True,
        engine_patches=False,
        catalog_dir=Path("/tmp/cat"),
        public_url="https://chuangkou.example.cn",
    )
    assert Settings.from_env(settings.to_env()) == settings


def test_the_cluster_profile_brings_its_defaults() -> None:
    cluster = Settings.from_env({"CHUANGKOU_PROFILE": "cluster"})
    assert cluster.database_url == CLUSTER_DATABASE_URL and cluster.engines == 2
    assert cluster.engine_urls == ("http://127.0.0.1:5005", "http://127.0.0.1:5006")
    assert Settings.from_env({}).engine_urls == ("http://127.0.0.1:5005",)
    assert cluster.problems() == []


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"CHUANGKOU_GATEWAY_PORT": "eighty"}, "CHUANGKOU_GATEWAY_PORT"),
        ({"CHUANGKOU_SECURE_COOKIES": "maybe"}, "CHUANGKOU_SECURE_COOKIES"),
    ],
)
def test_bad_values_name_their_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env(env)
    assert err.value.variable == variable and variable in str(err.value)


def test_problems_and_unknown_variables() -> None:
    assert Settings().problems() == []
    bad = replace(Settings(), profile="cluster", database_url="sqlite:///x.db", retention_days=0)
    problems = " | ".join(bad.problems())
    assert "PostgreSQL" in problems and "RETENTION_DAYS must be positive" in problems
    env = {"CHUANGKOU_SLOT_MINUTE": "20", "CHUANGKOU_PG_HOST": "x", "PATH": "/bin"}
    assert unknown_variables(env) == ["CHUANGKOU_SLOT_MINUTE"]


def test_the_rehearsal_clock() -> None:
    rehearsal = Settings.from_env({"CHUANGKOU_CLOCK": "2026-11-27 15:10"})
    assert rehearsal.problems() == []
    assert rehearsal.fixed_now is not None and rehearsal.fixed_now.weekday() == 4
    assert Settings().fixed_now is None
    assert "not YYYY-MM-DD HH:MM" in " ".join(replace(Settings(), clock="明天").problems())
    in_service = Settings.from_env(
        {"CHUANGKOU_PROFILE": "cluster", "CHUANGKOU_CLOCK": "2026-11-27 15:10"}
    )
    assert any("rehearsals" in p for p in in_service.problems())
