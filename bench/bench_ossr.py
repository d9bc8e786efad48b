"""Import rate of the OSSR import: records per second over many distinct records.

Makes N copies of the OSSR test fixtures (tests/data/ossr: CodeMeta files, Zenodo
records with a companion codemeta.json, a repository with esap-executables.json),
each copy given its own DOI and code repository so that every copy is a distinct
record, then imports them into a fresh store and prints a table.

    .venv/bin/python bench/bench_ossr.py [--copies 200] [--store oxigraph|memory|rdflib]

The first import into a fresh store also loads the vocabulary's closure; that one-off
cost is timed apart.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from registry.ossr.importer import OssrImporter, find_inputs
from registry.service import Registry
from registry.store import open_store

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "data" / "ossr"


def _distinct(tree: Any, copy: int, serial: int) -> Any:
    """The same record under a DOI and repository of its own."""
    doi = f"10.5281/zenodo.9{copy:05d}{serial:02d}"
    if isinstance(tree, dict) and "metadata" in tree and "id" in tree:
        tree = dict(tree, id=int(f"9{copy:05d}{serial:02d}"), doi=doi, conceptdoi=doi + "0")
        tree["metadata"] = dict(tree["metadata"], doi=doi)
    elif isinstance(tree, dict) and "@context" in tree:
        tree = dict(tree, identifier=doi)
        if isinstance(tree.get("codeRepository"), str):
            tree["codeRepository"] = tree["codeRepository"].rstrip("/") + f"-copy{copy}"
    elif isinstance(tree, dict) and "executables" in tree:
        import uuid

        tree = {"executables": [dict(e, uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{e['uuid']}/{copy}"))) for e in tree["executables"]]}
    return tree


def make_copies(target: Path, copies: int) -> int:
    """Write the copies; returns how many inputs (records) they make."""
    sources = sorted(p for p in FIXTURES.rglob("*.json") if p.is_file())
    for copy in range(copies):
        folder = target / f"copy-{copy:04d}"
        for serial, path in enumerate(sources):
            relative = path.relative_to(FIXTURES)
            out = folder / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            try:
                tree = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                out.write_bytes(path.read_bytes())
                continue
            out.write_text(json.dumps(_distinct(tree, copy, serial)), encoding="utf-8")
    return len(find_inputs([target]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--store", default="oxigraph", choices=["oxigraph", "memory", "rdflib"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_copies(root / "inputs", args.copies)
        store = open_store(root / "store" if args.store == "oxigraph" else args.store)
        with store:
            registry = Registry(store)
            started = time.perf_counter()
            registry.prepare()
            prepare = time.perf_counter() - started
            batch = OssrImporter(registry).import_files(find_inputs([root / "inputs"]))
    print("| store | copies | inputs | records stored | rejected | executables | warnings | prepare (s) | import (s) | records/s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {args.store} | {args.copies} | {batch.inputs} | {batch.records} | {len(batch.rejected)} | {batch.executables} | "
        f"{batch.warnings} | {prepare:.1f} | {batch.seconds:.1f} | {batch.rate:.1f} |"
    )


if __name__ == "__main__":
    main()
