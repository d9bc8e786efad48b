"""The bad-input corpus (``tests/data/bad-input/``, described by its ``cases.json``) and the
generated cases too large or too regular to keep as files, shared by the CLI and web tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent / "data" / "bad-input"
CASES: dict[str, dict[str, Any]] = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))["cases"]
#: Generated cases: name -> (bytes, expectation).
DEEP: dict[str, tuple[bytes, dict[str, Any]]] = {
    "json-nested-100k.json": (b"[" * 100_000 + b"]" * 100_000, {"kind": "malformed", "line": 1, "column": 33}),
    "json-manifest-nested-100k.json": (
        b'{"executables": [{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}",
        {"kind": "malformed", "line": 1, "column": 57},
    ),
    "json-objects-nested-100k.json": (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, {"kind": "malformed", "line": 1, "column": 193}),
    "turtle-nested-5000.ttl": (
        b"@prefix esap: <https://w3id.org/esap-registry/vocab#> .\n<urn:uuid:0b5c3a4e-1111-4222-8333-944455556666> esap:title "
        + b"[ esap:title " * 5000 + b'"x"' + b" ]" * 5000 + b" .\n",
        {"kind": "malformed", "line": 2, "column": 476},
    ),
}
#: Every case: name -> (its bytes when generated, else None; its expectation).
ALL: dict[str, tuple[bytes | None, dict[str, Any]]] = {**{n: (None, c) for n, c in CASES.items()}, **DEEP}


def case_bytes(name: str) -> bytes:
    """The bytes of a case, generated or read from its file."""
    data = ALL[name][0]
    return data if data is not None else (CORPUS / name).read_bytes()
