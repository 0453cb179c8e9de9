"""Fuzz the public API from its own OpenAPI document: no input may cause a server error.

Schemathesis generates the requests (its pytest plugin does not run on this pytest, so
each operation's Hypothesis strategy is driven directly); the check is
``not_a_server_error`` over a bounded number of examples per operation.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

pytestmark = pytest.mark.engine
EXAMPLES = 30


def test_no_server_errors(site: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_url(f"{site['url']}/api/openapi.json")
    results = list(schema.get_all_operations())
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) == len(results) >= 8  # every operation of the document is valid
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        run()
