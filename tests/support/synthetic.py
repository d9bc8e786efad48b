"""Synthetic manifests for the benchmarks, generated with a fixed seed.

Platforms are drawn from a few families (notebook services, batch clusters,
clouds) with realistic node pools, storage and local data collections, so that
a notebook matches a good share of them and a large batch run only a few.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from rdflib import URIRef

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
        need = {"nodes": rng.choice([1, 2, 8]), "mincores": rng.choice([16, 64, 210]),
                "minmemory": rng.choice(["64G", 128, "344G"]), "walltime": rng.choice(["12h", "48h", "190h"])}
        spread = rng.choice([0, 0, 8, 56])  # an exact node count, or a range up to 8 or 56 nodes more
        if spread:
            need["maxnodes"] = need["nodes"] + spread
        entry["compute-resources"] = [need]
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


# -- at scale: replicated templates, as dicts or straight as N-Quads -------------------------
#
# Mapping a manifest to RDF (load_document) takes milliseconds an entry: too slow for
# 100,000 platforms or 1,000,000 executables. At scale the first TEMPLATES entries are
# generated as above and mapped once; every further entry i is a copy of template
# i % TEMPLATES with its own uuid (uuid5 of the kind and i) and title, made by text
# substitution in the template's N-Quads (entry nodes are IRIs under the entry's uuid,
# never blank nodes), and loaded with pyoxigraph's bulk loader: no SHACL validation
# (ingest is measured on its own). The dicts of :func:`scaled` are the same entries,
# for the brute-force floor.

TEMPLATES = 1000
_NAMESPACE = uuid.UUID("5f0c2a4e-6b1d-4c3e-9a7f-2d8e0b1c3a59")


def scaled_uuid(kind: str, index: int, template: dict[str, Any]) -> str:
    """The uuid of entry ``index``: the template's own for the first TEMPLATES, else a uuid5."""
    return template["uuid"] if index < TEMPLATES else str(uuid.uuid5(_NAMESPACE, f"{kind}-{index}"))


def _title(template: dict[str, Any], index: int) -> str:
    prefix = template["title"].rsplit(" ", 1)[0]
    return f"{prefix} {index:07d}"


def templates(kind: str, n: int) -> list[dict[str, Any]]:
    """The first ``min(n, TEMPLATES)`` entries of ``kind`` ("platforms" or "executables")."""
    make = platforms if kind == "platforms" else executables
    return make(min(n, TEMPLATES))[kind]


def scaled(kind: str, n: int) -> list[dict[str, Any]]:
    """``n`` entries of ``kind`` as manifest dicts: templates, then copies with their own uuid and title."""
    found = templates(kind, n)
    result = list(found)
    for index in range(len(found), n):
        template = found[index % len(found)]
        result.append({**template, "uuid": scaled_uuid(kind, index, template), "title": _title(template, index)})
    return result


def scaled_nquads(kind: str, n: int, chunk: int = 20_000) -> Iterator[bytes]:
    """``n`` entries of ``kind`` as N-Quads (each entry in its named graph), ``chunk`` entries
    a piece; the same entries as :func:`scaled`."""
    found = templates(kind, n)
    texts = _template_nquads(kind, len(found))
    # each template cut at its uuid and its title, so that a copy is one join
    cuts = [[part.split(json.dumps(template["title"])) for part in text.split(template["uuid"])] for template, text in zip(found, texts, strict=True)]
    piece: list[str] = []
    for index in range(n):
        which = index % len(found)
        if index < len(found):
            text = texts[which]
        else:
            template = found[which]
            title = json.dumps(_title(template, index))
            text = scaled_uuid(kind, index, template).join(title.join(part) for part in cuts[which])
        piece.append(text)
        if len(piece) >= chunk:
            yield "".join(piece).encode("utf-8")
            piece = []
    if piece:
        yield "".join(piece).encode("utf-8")


@lru_cache(maxsize=8)
def _template_nquads(kind: str, count: int) -> list[str]:
    """The N-Quads of each of the first ``count`` entries, mapped once per process."""
    from registry.readers import load_document  # imported late: the generator above needs no registry

    found = templates(kind, count)
    document = load_document(json.dumps({kind: found}), source=f"synthetic-{kind}.json")
    texts = []
    for template in found:
        graph_name = f"<urn:uuid:{template['uuid']}>"
        graph = document.entries[URIRef(f"urn:uuid:{template['uuid']}")]
        lines = graph.serialize(format="nt").splitlines()
        texts.append("".join(f"{line[:-1].rstrip()} {graph_name} .\n" for line in lines if line.strip()))
    return texts
