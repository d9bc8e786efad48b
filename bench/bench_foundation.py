"""Foundation figures: validation time per manifest, ingest rate into the embedded
store (one manifest at a time and in bulk), and the export round trip.

    .venv/bin/python bench/bench_foundation.py [--executables 10000] [--single 1000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: tests.support

from common import disk_mib, peak_rss_mib, save, skipped, summary_ms, table, timings  # noqa: E402

from registry.readers import load_document, load_documents, load_path  # noqa: E402
from registry.service import Registry  # noqa: E402
from registry.store import open_store  # noqa: E402
from registry.validation import get_validator  # noqa: E402
from tests.support.synthetic import executables, platforms  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


#: The ingest modes: what is ingested, and how many manifests a call (None: ``batch``).
INGEST_MODES = {"single": ("executables", 1), "bulk": ("executables", None), "bulk-platforms": ("platforms", None)}


def ingest_once(mode: str, n: int, batch: int, path: Path) -> dict[str, Any]:
    """In this process: ingest ``n`` synthetic executables (parse, SHACL validation, store)
    into a fresh embedded store at ``path``, one manifest a call (``single``) or ``batch``
    manifests a call (``bulk``, parsed together by ``load_documents``), or ``n`` synthetic
    platforms in bulk (``bulk-platforms``: most lack the recommended description, so each
    has a warning, as real platform lists do); the rate excludes generating the manifests' text.

    :raises ValidationFailed: when a synthetic manifest does not conform (a bug).
    """
    kind, _ = INGEST_MODES[mode]
    entries = platforms(n)["platforms"] if kind == "platforms" else executables(n)["executables"]
    texts = [json.dumps({kind: [entry]}) for entry in entries]
    registry = Registry(open_store(path))
    registry.prepare()
    started = time.perf_counter()
    cpu_started = time.process_time()
    if mode == "single":
        for text in texts:
            registry.ingest(load_document(text, source="bench.json"))
    else:
        for start in range(0, n, batch):
            registry.ingest(load_documents((t, "bench.json") for t in texts[start : start + batch]))
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    stored = len(registry.entries())
    registry.store.close()
    return {kind: n, "stored": stored, "seconds": round(seconds, 3), "per_second": round(n / seconds, 1),
            "cpu_seconds": round(cpu_seconds, 3), "per_cpu_second": round(n / cpu_seconds, 1),
            "peak_rss_mib": peak_rss_mib(), "disk_mib": disk_mib(path), **({"batch": batch} if mode != "single" else {})}


def run_ingest(
    sizes: list[int],
    *,
    batch: int = 1_000,
    budget: float = 120.0,
    single_budget: float | None = None,
    scratch: Path | None = None,
    log: Any = print,
) -> dict[str, Any]:
    """Ingest rate and peak memory, one manifest at a time (``single``) and in bulk, per size;
    each in a fresh child process (so that its peak resident memory is its own). A size is
    not run when the rate measured at the size before predicts more than ``budget`` seconds
    (``single_budget`` for one manifest at a time, when given).

    :returns: ``{"single"|"bulk"|"bulk-platforms": {str(size): {executables (platforms for
        bulk-platforms), stored, seconds, per_second, peak_rss_mib, disk_mib[, batch]} or
        {per_second: None, ..., skipped: reason}}}``.
    :raises RuntimeError: when a child process fails.
    """
    results: dict[str, Any] = {mode: {} for mode in INGEST_MODES}
    with tempfile.TemporaryDirectory(prefix="bench-ingest-", dir=scratch) as tmp:
        for mode in INGEST_MODES:
            rate: float | None = None
            limit = single_budget if mode == "single" and single_budget is not None else budget
            for n in sizes:
                if rate and n / rate > limit:
                    results[mode][str(n)] = skipped(
                        f"not run (too slow): {n / rate:.0f} s predicted at {rate:.0f}/s, over the {limit:.0f} s budget",
                        seconds=None, per_second=None, peak_rss_mib=None,
                    )
                    log(f"ingest {mode} {n}: not run ({n / rate:.0f} s predicted)")
                    continue
                child = subprocess.run(
                    [sys.executable, __file__, "--child", mode, str(n), str(batch), str(Path(tmp) / f"{mode}-{n}")],
                    capture_output=True, text=True, check=False,
                )
                if child.returncode != 0:
                    raise RuntimeError(f"ingest {mode} {n} failed: {child.stderr[-2000:]}")
                figures = json.loads(child.stdout)
                if figures["stored"] != n:
                    raise RuntimeError(f"ingest {mode} {n} stored {figures['stored']} {INGEST_MODES[mode][0]}")
                results[mode][str(n)] = figures
                rate = figures["per_second"]
                log(f"ingest {mode} {n}: {rate}/s, peak {figures['peak_rss_mib']} MiB")
    return results


def ingest_markdown(results: dict[str, Any]) -> str:
    """One row per mode and size."""
    rows = []
    for mode, sizes in results.items():
        for n, f in sizes.items():
            if f.get("per_second") is None:
                rows.append([mode, n, "not run", "not run", "-", f["skipped"]])
            else:
                rows.append([mode + (f" ({f['batch']} a call)" if "batch" in f else ""), n, f["seconds"], f["per_second"], f["peak_rss_mib"], ""])
    return table(["mode", "entries", "seconds", "entries/s", "peak resident MiB", "note"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--executables", type=int, default=10_000, help="executables ingested in bulk")
    parser.add_argument("--single", type=int, default=1_000, help="executables ingested one manifest at a time")
    parser.add_argument("--batch", type=int, default=1_000, help="documents per bulk ingest call")
    parser.add_argument("--child", nargs=4, metavar=("MODE", "N", "BATCH", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, n, batch, path = args.child
        print(json.dumps(ingest_once(mode, int(n), int(batch), Path(path))))
        return
    results: dict[str, object] = {}

    validator = get_validator()
    rows = []
    for path in sorted(EXAMPLES.glob("*.json")):
        document = load_path(path)
        validate = summary_ms(timings(lambda d=document: validator.validate(d), repeat=30))
        load_and_validate = summary_ms(timings(lambda p=path: validator.validate(load_path(p)), repeat=30))
        entries = len(document.entries)
        rows.append([path.name, entries, validate["p50_ms"], load_and_validate["p50_ms"]])
        results[f"validate.{path.stem}"] = {"entries": entries, "validate": validate, "load_and_validate": load_and_validate}
    print("## Validation per manifest (p50 of 30)\n")
    print(table(["manifest", "entries", "SHACL only (ms)", "parse + SHACL (ms)"], rows))

    manifest = executables(max(args.executables, args.single))["executables"]
    texts = [json.dumps({"executables": [entry]}) for entry in manifest]

    with tempfile.TemporaryDirectory() as tmp:
        registry = Registry(open_store(Path(tmp) / "single"))
        registry.prepare()
        started = time.perf_counter()
        for text in texts[: args.single]:
            registry.ingest(load_document(text, source="bench.json"))
        single_seconds = time.perf_counter() - started
        registry.store.close()

        registry = Registry(open_store(Path(tmp) / "bulk"))
        registry.prepare()
        started = time.perf_counter()
        for start in range(0, args.executables, args.batch):
            documents = [load_document(t, source="bench.json") for t in texts[start : start + args.batch]]
            registry.ingest(documents)
        bulk_seconds = time.perf_counter() - started
        stored = len(registry.entries())
        size = sum(p.stat().st_size for p in (Path(tmp) / "bulk").rglob("*") if p.is_file())
        registry.store.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\n## Ingest into the embedded store (SHACL validation on)\n")
    print(table(
        ["mode", "executables", "seconds", "executables/s"],
        [
            ["one manifest at a time", args.single, f"{single_seconds:.1f}", f"{args.single / single_seconds:.0f}"],
            [f"bulk ({args.batch} documents a call)", args.executables, f"{bulk_seconds:.1f}", f"{args.executables / bulk_seconds:.0f}"],
        ],
    ))
    print(f"\nstored {stored} executables; store on disk {size / 2**20:.1f} MiB; peak resident memory {peak_mib:.0f} MiB")
    results["ingest"] = {
        "single": {"executables": args.single, "seconds": round(single_seconds, 3), "per_second": round(args.single / single_seconds, 1)},
        "bulk": {"executables": args.executables, "batch": args.batch, "seconds": round(bulk_seconds, 3),
                 "per_second": round(args.executables / bulk_seconds, 1)},
        "stored": stored,
        "disk_mib": round(size / 2**20, 1),
        "peak_rss_mib": round(peak_mib),
    }

    registry = Registry(open_store("memory"))
    same = True
    for path in sorted(EXAMPLES.glob("*.json")):
        original = json.loads(path.read_text())
        registry.ingest(load_path(path))
        uuids = [e["uuid"] for key in ("executables", "platforms") for e in original.get(key, [])]
        same &= registry.export_manifest(uuids=uuids) == original
    print(f"\n## Round trip\n\nexport of every ingested example gives the same JSON: {same}")
    results["roundtrip_examples_identical"] = same
    print(f"\nresults written to {save('foundation', results)}")


if __name__ == "__main__":
    main()
