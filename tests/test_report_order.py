"""Validation reports a person can read: each fault once, in the order of the file
(by file, then JSON path in document order, then severity), whatever the run."""

from __future__ import annotations

import json
from typing import Any

from registry.readers import load_document
from registry.validation import get_validator

EXECUTABLE = {
    "uuid": "5cec9f3d-79c0-49ad-9a5a-455596c55341",
    "type": "urn:types/jupyter-notebook",
    "title": "t",
    "description": "d",
    "location": {"repository": "https://example.org/r", "ref": "main", "path": "x.ipynb"},
    "compute-resources": [{"mincores": 1, "minmemory": 1}],
}


def _platform(index: int, **extra: Any) -> dict[str, Any]:
    entry = {
        "uuid": f"00000000-0000-4000-8000-{index:012d}",
        "type": "urn:platforms/binderhub",
        "title": f"p{index}",
        "url": "https://example.org/",
        "executable-types": ["urn:types/notebook"],
        "compute-resources": [{"nodes": 1, "cores": 2, "memory": 4}],
    }
    entry.update(extra)
    return entry


def _issues(manifest: dict[str, Any], source: str = "m.json") -> list[tuple[str, str | None, str]]:
    report = get_validator().validate(load_document(json.dumps(manifest), source=source))
    return [(i.severity, i.path, i.message) for i in report.issues]


def test_a_string_mincores_is_reported_once() -> None:
    entry = dict(EXECUTABLE, **{"compute-resources": [{"mincores": "4", "minmemory": 1}]})
    report = get_validator().validate(load_document(json.dumps({"executables": [entry]}), source="m.json"))
    at = [i for i in report.issues if i.path == "executables[0].compute-resources[0].mincores"]
    assert len(at) == 1, report.to_text()
    assert len(report.violations) == 1


def test_paths_come_in_document_order_then_severity() -> None:
    # platforms lacking a description (a warning each), two with a violation too
    platforms = [_platform(i) for i in range(12)]
    platforms[9]["compute-resources"] = [{"nodes": 1, "cores": -2, "memory": 4}]
    platforms[10]["compute-resources"] = [{"nodes": 1, "cores": -2, "memory": 4}]
    platforms[10]["titel"] = "typo"  # a fault found while reading, between SHACL's
    issues = _issues({"platforms": platforms})
    paths = [p for _, p, _ in issues]
    entries = [int(p.split("]")[0].split("[")[1]) for p in paths]
    assert entries == sorted(entries), paths
    ten = [p for p in paths if p.startswith("platforms[10]")]
    # document order within an entry: the keys written, in the file's order, then those missing
    assert ten == ["platforms[10].compute-resources[0].cores", "platforms[10].titel", "platforms[10].description"], ten
    assert _issues({"platforms": platforms}) == issues


def test_severity_orders_issues_at_one_path() -> None:
    entry = dict(EXECUTABLE, **{"compute-resources": [{"mincores": 1}]})  # minmemory missing: warning
    entry["compute-resources"][0]["maxcores"] = 0  # below mincores: violation
    issues = _issues({"executables": [entry]})
    severities = [s for s, p, _ in issues if p and p.startswith("executables[0].compute-resources[0]")]
    assert severities == sorted(severities, key=["Violation", "Warning", "Info"].index), issues


def test_did_you_mean_follows_a_full_stop() -> None:
    entry = dict(EXECUTABLE, type="urn:types/jupyter-notebok")
    messages = [m for _, p, m in _issues({"executables": [entry]}) if p == "executables[0].type"]
    assert len(messages) == 1 and ". Did you mean urn:types/jupyter-notebook" in messages[0], messages
