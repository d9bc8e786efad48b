"""schemathesis over the service's own OpenAPI description (``/openapi.json``): every
operation is called with generated parameters and bodies, valid and not, with the
token so that the writes are exercised too, and no answer may be a server error.

The app runs in process (ASGI) on a store of its own holding the examples; the
budget per operation is small enough for the whole run to take well under a
minute. ``SCHEMATHESIS_EXAMPLES`` raises it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from web_support import AUTH, TOKEN

from registry.service import Registry, find_files
from registry.store import open_store
from registry.web import Settings, create_app

pytestmark = pytest.mark.slow

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
#: The status of each answer, per operation: counted for the closing figures.
CALLS: dict[str, list[int]] = {}


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


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_operation_answers_with_a_server_error(case: Any) -> None:
    case.headers = {**(case.headers or {}), **AUTH}  # the writes get done (refusals are test_auth's)
    response = case.call_and_validate(checks=[not_a_server_error])
    CALLS.setdefault(case.operation.label, []).append(response.status_code)


def test_every_operation_was_called(capsys: pytest.CaptureFixture[str]) -> None:
    """Run after the operations above (in file order): each was called, none answered 5xx."""
    operations = {result.ok().label for result in schema.get_all_operations()}
    if not CALLS:
        pytest.skip("the fuzzing above was not selected")
    assert set(CALLS) == operations
    statuses = [status for answers in CALLS.values() for status in answers]
    assert all(status < 500 for status in statuses)
    with capsys.disabled():
        print(f"\nschemathesis: {len(statuses)} requests over {len(CALLS)} operations, "
              f"{sum(200 <= s < 300 for s in statuses)} answered 2xx, {sum(400 <= s < 500 for s in statuses)} 4xx, 0 5xx")
