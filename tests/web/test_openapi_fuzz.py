"""schemathesis over the service's own OpenAPI description (``/openapi.json``): every
operation is called with generated parameters and bodies, valid and not, with the
token so that the writes are exercised too, and no answer may be a server error.

The app runs in process (ASGI) on a store of its own holding the examples; the
budget per operation is small enough for the whole run to take well under a
minute. ``SCHEMATHESIS_EXAMPLES`` raises it.

The answers are counted by the ``answers`` fixture; each test stands alone, in any
order: the closing test calls itself every operation that no test has called yet.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from web_support import AUTH, TOKEN

from registry.service import Registry, find_files
from registry.store import open_store
from registry.web import Settings, create_app

pytestmark = pytest.mark.slow

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
#: The budget of each operation, for the tests here and for the closing test's own calls.
BUDGET = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@schemathesis.serializer("text/turtle", "application/n-triples", "application/sparql-query", "application/sparql-update")
def text_body(context: Any, value: Any) -> bytes:
    """Bodies of the text types the service reads: the text generated, as UTF-8."""
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else json.dumps(value)).encode("utf-8", "surrogatepass")


def _app() -> FastAPI:
    """The app under test, on a store of its own holding the examples (built when the
    module is collected: schemathesis makes one test per operation from its description)."""
    store = open_store("memory")
    Registry(store).ingest_paths(find_files([EXAMPLES_DIR]))
    return create_app(Settings(token=TOKEN, max_body_bytes=256 * 1024, query_timeout=2.0), store=store)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


class Answers:
    """The status of each answer, per operation, of the calls made through :meth:`call`."""

    def __init__(self) -> None:
        self.statuses: dict[str, list[int]] = {}

    def call(self, case: Any) -> None:
        """Call the operation with the token, so that the writes get done (refusals are
        test_auth's), and check that the answer is no server error."""
        case.headers = {**(case.headers or {}), **AUTH}
        response = case.call_and_validate(checks=[not_a_server_error])
        self.statuses.setdefault(case.operation.label, []).append(response.status_code)

    def fuzz(self, operation: Any) -> None:
        """Call one operation with the budget's cases, valid and not, as the test below does."""
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=cases)
        @BUDGET
        def run(case: Any) -> None:
            self.call(case)

        run()


@pytest.fixture(scope="module")
def answers() -> Answers:
    """The answers of this module's calls, shared by its tests (none needs another to have run)."""
    return Answers()


@schema.parametrize()
@BUDGET
def test_no_operation_answers_with_a_server_error(case: Any, answers: Answers) -> None:
    answers.call(case)


def test_every_operation_was_called(answers: Answers, capsys: pytest.CaptureFixture[str]) -> None:
    """Each operation was called (by the test above, or here when it did not run for it),
    none answered 5xx."""
    every = [result.ok() for result in schema.get_all_operations()]
    for operation in every:
        if operation.label not in answers.statuses:
            answers.fuzz(operation)
    operations = {operation.label for operation in every}
    calls = answers.statuses
    assert set(calls) == operations
    statuses = [status for answered in calls.values() for status in answered]
    assert all(status < 500 for status in statuses)
    with capsys.disabled():
        print(f"\nschemathesis: {len(statuses)} requests over {len(calls)} operations, "
              f"{sum(200 <= s < 300 for s in statuses)} answered 2xx, {sum(400 <= s < 500 for s in statuses)} 4xx, 0 5xx")
