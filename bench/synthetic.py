"""Synthetic manifests for the benchmarks, generated with a fixed seed.

Platforms are drawn from a few families (notebook services, batch clusters,
clouds) with realistic node pools, storage and local data collections, so that
a notebook matches a good share of them and a large batch run only a few.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

SEED = 20221122

NOTEBOOK_TYPES = ["urn:types/notebook", "urn:types/jupyter-notebook"]
BATCH_TYPES = ["urn:types/batch-job", "urn:types/slurm-job", "urn:types/mpi-job"]
CONTAINER_TYPES = ["urn:types/container", "urn:types/docker-container", "urn:types/singularity-container"]
CONTENTS = ["urn:astrometric-catalogue", "urn:astronomy-image", "urn:gamma-ray-event-list", "urn:astronomy-spectrum", "urn:neutrino-event"]
FORMATS = ["urn:parquet-binary", "urn:fits-binary", "urn:hdf5-binary", "urn:root-binary", "urn:csv-text"]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def platform(rng: random.Random, index: int) -> dict[str, Any]:
    """One synthetic platform."""
    family = rng.choices(["notebook", "batch", "cloud"], weights=[5, 3, 2])[0]
    entry: dict[str, Any] = {"uuid": _uuid(rng), "title": f"synthetic {family} platform {index:06d}"}
    if family == "notebook":
        entry.update(
            type="urn:platforms/binderhub",
            url=f"https://binder-{index}.example.org/",
            **{"executable-types": ["urn:types/notebook"]},
            launch="{url}v2/git/{repository}/{ref}?urlpath=lab/tree/{path}",
        )
        pools = [{"nodes": 1, "cores": rng.choice([1, 2, 4, 8]), "memory": rng.choice([2, 4, 8, 16, 32, 64]), "maxwalltime": rng.choice([4, 6, 12, 24])}]
        storage = rng.choice([10, 20, 50, 100])
    elif family == "batch":
        entry.update(type="urn:platforms/hpc-batch-cluster", **{"executable-types": sorted(set(rng.sample(BATCH_TYPES + CONTAINER_TYPES[2:], 2)))})
        pools = [
            {"nodes": rng.choice([4, 8, 16, 32, 64, 128]), "cores": rng.choice([16, 32, 48, 64, 128]),
             "memory": rng.choice([64, 128, 256, 512]), "maxwalltime": rng.choice([24, 48, 72, 168, 240])}
            for _ in range(rng.randint(1, 3))
        ]
        storage = rng.choice([1000, 10000, 100000, 500000])
    else:
        entry.update(type="urn:platforms/kubernetes-cloud", **{"executable-types": ["urn:types/container", "urn:types/batch-job"]})
        pools = [{"nodes": rng.choice([5, 10, 20, 50]), "cores": rng.choice([4, 8, 16, 32]), "memory": rng.choice([16, 32, 64, 128])}]
        storage = rng.choice([100, 1000, 20000])
    entry["compute-resources"] = pools
    entry["storage-resources"] = [{"size": storage}]
    if family != "notebook" and rng.random() < 0.3:
        entry["data-resources"] = [{"title": f"collection {index}", "data-content": rng.choice(CONTENTS), "data-format": rng.choice(FORMATS), "size": rng.choice([100, 1000, 10000])}]
    return entry


def executable(rng: random.Random, index: int) -> dict[str, Any]:
    """One synthetic executable."""
    family = rng.choices(["notebook", "batch", "container"], weights=[6, 2, 2])[0]
    entry: dict[str, Any] = {
        "uuid": _uuid(rng),
        "title": f"synthetic {family} {index:07d}",
        "description": "A synthetic executable for the benchmarks.",
        "location": {"repository": f"https://git.example.org/project-{index}", "ref": "main", "path": "run.ipynb"},
    }
    if family == "notebook":
        entry["type"] = "urn:types/jupyter-notebook"
        entry["compute-resources"] = [{"mincores": rng.choice([1, 2]), "minmemory": rng.choice([1, 2, 4, 8])}]
    elif family == "batch":
        entry["type"] = rng.choice(BATCH_TYPES)
        entry["compute-resources"] = [{"nodes": rng.choice([1, 2, 8]), "mincores": rng.choice([16, 64, 210]),
                                       "minmemory": rng.choice(["64G", 128, "344G"]), "walltime": rng.choice(["12h", "48h", "190h"])}]
        entry["data-resources"] = [{"uuid": _uuid(rng), "data-content": rng.choice(CONTENTS), "data-format": rng.choice(FORMATS), "size": rng.choice(["500MB", "50GB", "5TB"])}]
    else:
        entry["type"] = rng.choice(CONTAINER_TYPES[1:])
        entry["compute-resources"] = [{"mincores": rng.choice([1, 4, 8]), "minmemory": rng.choice(["2GiB", "16GiB"])}]
    return entry


def platforms(n: int, seed: int = SEED) -> dict[str, Any]:
    """A manifest of ``n`` platforms."""
    rng = random.Random(seed)
    return {"platforms": [platform(rng, i) for i in range(n)]}


def executables(n: int, seed: int = SEED) -> dict[str, Any]:
    """A manifest of ``n`` executables."""
    rng = random.Random(seed + 1)
    return {"executables": [executable(rng, i) for i in range(n)]}
