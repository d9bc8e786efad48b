"""Hand-made planning fixtures shared by the planner's tests: a base executable and a
base platform that match on every clause at its boundary, and a helper to change one
value of either."""

from __future__ import annotations

import copy
import json
from typing import Any

from registry.planner import Planner
from registry.readers import load_document
from registry.service import Registry
from registry.store import open_store

EXE = "e0000000-0000-4000-8000-000000000001"
PLATFORM = "b0000000-0000-4000-8000-000000000001"

BASE_EXECUTABLE: dict[str, Any] = {
    "uuid": EXE,
    "type": "urn:types/slurm-job",
    "title": "E",
    "location": {"repository": "https://example.org/repo.git", "ref": "main", "path": "notebooks/a b.ipynb"},
    "compute-resources": [{"nodes": 2, "mincores": 16, "minmemory": 64, "walltime": 5}],
    "storage-resources": [{"minsize": 10}],
    "data-resources": [
        {"uuid": "d0000000-0000-4000-8000-000000000001", "title": "catalogue", "data-content": "urn:astronomy-catalogue",
         "data-format": "urn:tabular-format", "size": 50}
    ],
}

BASE_PLATFORM: dict[str, Any] = {
    "uuid": PLATFORM,
    "type": "urn:platforms/hpc-batch-cluster",
    "title": "P",
    "url": "https://p.example.org/",
    "executable-types": ["urn:types/batch-job"],
    "compute-resources": [{"nodes": 4, "cores": 8, "memory": 32, "maxwalltime": 10}],
    "storage-resources": [{"size": 100}],
    "data-resources": [{"title": "Gaia", "data-content": "urn:astrometric-catalogue", "data-format": "urn:parquet-binary"}],
    "launch": "{url}v2/git/{repository}/{ref}?urlpath=lab/tree/{path}",
}


def changed(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``base`` with the value at a dotted path (``compute-resources.0.nodes``) set,
    or removed when ``value`` is ``...``."""
    result = copy.deepcopy(base)
    *parents, last = path.split(".")
    target: Any = result
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return result


def plan_of(executable: dict[str, Any], *platforms: dict[str, Any], backend: str = "memory", **options: Any) -> dict[str, Any]:
    registry = Registry(open_store(backend))
    registry.ingest(load_document(json.dumps({"executables": [executable]}), source="e.json"))
    registry.ingest(load_document(json.dumps({"platforms": list(platforms)}), source="p.json"))
    return Planner(registry).plan(executable["uuid"], **options).to_dict()


