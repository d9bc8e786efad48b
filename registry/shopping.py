"""The data shopping list of an executable: for each data resource it needs, the
registered data sets that satisfy it, how each is reached, and which platforms hold a
copy; and, when nothing registered satisfies it, the nearest broader terms that do have
data sets.

A data set satisfies a data resource by the planner's data-locality rule: its
data-content and data-format are equal to or narrower than the resource's (a field the
resource leaves out matches any); a resource that names a registered data set by its
``uuid`` is satisfied by that data set too. Every part is a SPARQL query in ``queries/``
(``shopping-needs``, ``shopping-datasets``, ``shopping-access``, ``shopping-held-by``,
``shopping-broader``) run with its values bound. Nothing is ever fetched from a data
set's access.

Core code: it raises the registry's own errors (:mod:`registry.errors`).

The JSON (``esap-registry shopping-list --format json``, ``GET
/executables/{uuid}/shopping-list``)::

    {"executable": "<uuid>", "title": "...",
     "data": [{"resource": {"title": ..., "data-content": ..., ...},
               "datasets": [{"uuid", "title", "size", "access": [{"type": ..., "url": ...}]}],
               "held-by": [{"platform": "<uuid>", "title": ...}],
               "missing": false,
               "nearest": []}]}

``nearest`` is empty unless ``missing``: then it lists the nearest pairs of broader
terms (fewest steps up the taxonomies) that registered data sets satisfy, each with the
number of steps and those data sets' uuids.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from registry.errors import InputError
from registry.readers import Document
from registry.resources import load_query
from registry.service import Registry
from registry.store import Store, open_store
from registry.vocabulary import ESAP

__all__ = ["datasets_by_access", "shopping_list", "shopping_text"]

#: The JSON key of each field of a data resource, in the order the list shows them.
_RESOURCE_KEYS = (
    ("uuid", "uuid"),
    ("title", "title"),
    ("content", "data-content"),
    ("format", "data-format"),
    ("size", "size"),
    ("maxSize", "maxsize"),
    ("url", "url"),
)
#: The JSON key of each field of an access, as the manifest writes them.
_ACCESS_KEYS = (
    ("type", "type"),
    ("url", "url"),
    ("endpoint", "endpoint"),
    ("bucket", "bucket"),
    ("object", "object"),
    ("scope", "scope"),
    ("name", "name"),
    ("ivoid", "ivoid"),
    ("obscore", "obscore"),
    ("datalink", "datalink"),
)


def _position(iri: str) -> tuple[int, str]:
    """The order of a nested node (``...#data-resources-3`` -> 3), for the list's order."""
    match = re.search(r"-(\d+)$", iri)
    return (int(match.group(1)) if match else 1 << 30, iri)


def _uuid(iri: str) -> str:
    return iri.removeprefix("urn:uuid:")


def _given(value: Any) -> Any:
    """A value as the manifest gives it back (a number stays a number)."""
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)


def shopping_list(registry: Registry, target: str | Document) -> dict[str, Any]:
    """The shopping list of an executable.

    :param registry: the registry whose data sets and platforms are searched.
    :param target: a registered executable's uuid (or ``urn:uuid:`` IRI), or a document
        holding exactly one executable (not stored; its data sets are looked up in the
        registry).
    :returns: the JSON described in the module's docstring.
    :raises NotFound: when the uuid is not registered.
    :raises InputError: when the target is not an executable, or a document does not
        hold exactly one.
    :raises StoreError: when the store fails.
    """
    registry.prepare()  # the vocabulary graph, whose closure matches narrower terms
    if isinstance(target, Document):
        executables = target.executables()
        if len(executables) != 1:
            raise InputError(
                f"a manifest for a shopping list must hold exactly one executable; {target.source} holds {len(executables)}"
            )
        executable = executables[0]
        scratch = open_store("memory")
        try:
            scratch.replace_graphs({executable: target.entries[executable]})
            rows = scratch.select(load_query("shopping-needs"), {"executable": executable})
        finally:
            scratch.close()
        executable_title = rows[0]["executableTitle"] if rows else None
    else:
        executable, kind = registry.resolve(target)
        if kind != ESAP.Executable:
            raise InputError(f"{target} is not an executable: a shopping list is made for an executable")
        rows = registry.store.select(load_query("shopping-needs"), {"executable": executable})
        executable_title = rows[0]["executableTitle"] if rows else None
    return {
        "executable": _uuid(str(executable)),
        "title": executable_title,
        "data": [
            _item(registry.store, row) for row in sorted((r for r in rows if r["need"] is not None), key=lambda r: _position(r["need"]))
        ],
    }


def _item(store: Store, row: dict[str, Any]) -> dict[str, Any]:
    """One data resource of the list, with its data sets, copies and nearest terms."""
    resource = {key: _given(row[var]) for var, key in _RESOURCE_KEYS if row[var] is not None}
    content = URIRef(row["content"]) if row["content"] is not None else None
    format_ = URIRef(row["format"]) if row["format"] is not None else None
    named = str(row["uuid"]).strip().lower() if row["uuid"] is not None else ""
    found = _datasets(store, content, format_, named)
    datasets = [
        {
            "uuid": str(d["datasetUuid"]),
            "title": d["title"],
            "size": _given(d["size"]),
            "access": _access(store, URIRef(d["dataset"])),
        }
        for d in found
    ]
    held: dict[str, dict[str, Any]] = {}
    for dataset in datasets:
        for platform in store.select(load_query("shopping-held-by"), {"uuid": Literal(dataset["uuid"].lower())}):
            held.setdefault(str(platform["platformUuid"]), {"platform": str(platform["platformUuid"]), "title": platform["title"]})
    missing = not datasets
    return {
        "resource": resource,
        "datasets": datasets,
        "held-by": sorted(held.values(), key=lambda p: ((p["title"] or "").lower(), p["platform"])),
        "missing": missing,
        "nearest": _nearest(store, content, format_) if missing else [],
    }


def _datasets(store: Store, content: URIRef | None, format_: URIRef | None, named: str) -> list[dict[str, Any]]:
    """The data sets satisfying a resource of this content and format (or named by uuid)."""
    bindings: dict[str, Identifier] = {
        "anyContent": Literal(content is None),
        "content": content if content is not None else ESAP.DataContent,
        "anyFormat": Literal(format_ is None),
        "format": format_ if format_ is not None else ESAP.DataFormat,
        "named": Literal(named),
    }
    return store.select(load_query("shopping-datasets"), bindings)


def _access(store: Store, dataset: URIRef) -> list[dict[str, Any]]:
    """The ways a data set is reached, in the order its manifest lists them."""
    rows = store.select(load_query("shopping-access"), {"dataset": dataset})
    return [
        {key: _given(row[var]) for var, key in _ACCESS_KEYS if row[var] is not None}
        for row in sorted(rows, key=lambda r: _position(r["access"]))
    ]


def _distances(store: Store, term: URIRef) -> dict[URIRef, int]:
    """The term and every term broader than it, with the fewest steps up to each."""
    edges: dict[URIRef, set[URIRef]] = {}
    for row in store.select(load_query("shopping-broader"), {"term": term}):
        edges.setdefault(URIRef(row["narrower"]), set()).add(URIRef(row["broader"]))
    distance = {term: 0}
    frontier = [term]
    while frontier:
        following: list[URIRef] = []
        for node in frontier:
            for broader in sorted(edges.get(node, ())):
                if broader not in distance:
                    distance[broader] = distance[node] + 1
                    following.append(broader)
        frontier = following
    return distance


def _nearest(store: Store, content: URIRef | None, format_: URIRef | None) -> list[dict[str, Any]]:
    """The nearest broader terms that registered data sets satisfy: every pair of the
    resource's terms or broader ones, fewest steps up first, kept at the first number of
    steps where any pair has data sets. Empty when none has (or the resource gives no term)."""
    contents: dict[URIRef | None, int] = _distances(store, content) if content is not None else {None: 0}
    formats: dict[URIRef | None, int] = _distances(store, format_) if format_ is not None else {None: 0}
    pairs = sorted(
        ((c_steps + f_steps, str(c or ""), str(f or ""), c, f) for (c, c_steps), (f, f_steps) in product(contents.items(), formats.items())),
    )
    found: list[dict[str, Any]] = []
    best: int | None = None
    for steps, _, _, c, f in pairs:
        if steps == 0 or (best is not None and steps > best):
            continue
        datasets = _datasets(store, c, f, "")
        if datasets:
            best = steps
            entry: dict[str, Any] = {}
            if c is not None:
                entry["data-content"] = str(c)
            if f is not None:
                entry["data-format"] = str(f)
            entry["steps"] = steps
            entry["datasets"] = [str(d["datasetUuid"]) for d in datasets]
            found.append(entry)
    return found


#: The fields of an access that identify what it reaches, by access type.
_IDENTIFYING = {
    "urn:access/url": ("url",),
    "urn:access/s3": ("endpoint", "bucket", "object"),
    "urn:access/rucio": ("scope", "name", "endpoint"),
    "urn:access/ivoa": ("ivoid",),
}


def datasets_by_access(registry: Registry, access: dict[str, Any]) -> list[dict[str, Any]]:
    """The registered data sets reached by a given way: for a request that names its data by
    URL, S3 object, Rucio data identifier or IVOA identifier (the IVOA ExecutionBroker's data
    kinds) instead of by content and format. ``access`` is one item of a data set's
    ``access`` list, as the manifest writes it (``{"type": "urn:access/rucio", "scope": ...,
    "name": ...}``); a field it leaves out matches any, an ``ivoid`` matches without case.

    :returns: ``[{"uuid", "title", "access": [...]}]``, each data set with all its access ways
        (as :func:`shopping_list` gives them), in uuid order.
    :raises InputError: when the type is not a known access type, or a field is not a string,
        or it gives none of the fields that identify what its type reaches.
    :raises StoreError: when the store fails.
    """
    kind = access.get("type")
    if kind not in _IDENTIFYING:
        raise InputError(f"unknown access type {kind!r}: the known ones are {', '.join(_IDENTIFYING)}", json_path="type")
    fields = {key: access.get(key, "") for _, key in _ACCESS_KEYS if key not in ("type", "obscore", "datalink")}
    for key, value in fields.items():
        if not isinstance(value, str):
            raise InputError(f"{key} must be a string", json_path=key)
    if not any(fields[key] for key in _IDENTIFYING[kind]):
        raise InputError(f"an access of type {kind} names its data by {', '.join(_IDENTIFYING[kind])}: give at least one", json_path="$")
    bindings: dict[str, Identifier] = {"type": URIRef(kind), **{key: Literal(value) for key, value in fields.items()}}
    bindings["ivoid"] = Literal(fields["ivoid"].lower())
    found: dict[str, dict[str, Any]] = {}
    for row in registry.store.select(load_query("datasets-by-access"), bindings):
        uuid = str(row["datasetUuid"])
        if uuid not in found:
            found[uuid] = {"uuid": uuid, "title": row["title"], "access": _access(registry.store, URIRef(row["dataset"]))}
    return list(found.values())


def shopping_text(listing: dict[str, Any]) -> str:
    """The shopping list for people (``esap-registry shopping-list --format text``)."""
    lines = [f"Shopping list of {listing['title'] or listing['executable']} ({listing['executable']})"]
    if not listing["data"]:
        lines.append("  It states no data resources: nothing to find.")
    for number, item in enumerate(listing["data"], 1):
        resource = item["resource"]
        wanted = ", ".join(f"{k} {v}" for k, v in resource.items() if k not in ("title", "uuid"))
        lines.append(f"{number}. {resource.get('title') or resource.get('uuid') or 'data resource'}" + (f": {wanted}" if wanted else ""))
        for dataset in item["datasets"]:
            size = f", {dataset['size']}" if dataset["size"] is not None else ""
            lines.append(f"   data set {dataset['title'] or dataset['uuid']} ({dataset['uuid']}{size})")
            for way in dataset["access"]:
                lines.append("     " + _access_text(way))
            if not dataset["access"]:
                lines.append("     (no access given)")
        if item["held-by"]:
            lines.append("   held by: " + ", ".join(f"{p['title'] or p['platform']} ({p['platform']})" for p in item["held-by"]))
        if item["missing"]:
            lines.append("   not found in the registry: no registered data set has this content and format")
            for near in item["nearest"]:
                terms = ", ".join(f"{k} {near[k]}" for k in ("data-content", "data-format") if k in near)
                lines.append(f"   nearest with data sets: {terms} ({near['steps']} step(s) broader; {len(near['datasets'])} data set(s))")
            if not item["nearest"]:
                lines.append("   and no broader term has data sets either")
    return "\n".join(lines)


def _access_text(way: dict[str, Any]) -> str:
    kind = way.get("type", "?")
    if "url" in way:
        return f"{kind} {way['url']}"
    if "bucket" in way:
        return f"{kind} {way.get('endpoint', '')} bucket {way['bucket']} object {way.get('object', '')}"
    if "scope" in way or "name" in way:
        return f"{kind} {way.get('endpoint', '')} {way.get('scope', '')}:{way.get('name', '')}"
    if "ivoid" in way:
        extra = "".join(f" {k} {way[k]}" for k in ("obscore", "datalink") if k in way)
        return f"{kind} {way['ivoid']}{extra}"
    return str(kind)
