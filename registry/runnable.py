"""The reverse plan: every executable a platform can run, by the planner's matching
rule at the minima (E is in ``runnable(P)`` exactly when P is among ``plan(E)``'s
matches)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import URIRef

from registry import needindex
from registry.errors import InputError
from registry.plan_engine import compute_bindings, count, local_data, one, platform_table
from registry.requirements import DEFAULT_NEED, ComputeNeed, DataNeed
from registry.requirements import decimal as _decimal
from registry.requirements import number as _number
from registry.resources import load_query
from registry.runtime import collector_paused
from registry.service import Registry
from registry.store import Store
from registry.store.terms import chunks, fill
from registry.vocabulary import ESAP

__all__ = ["Listing", "ReversePlanner"]

@dataclass
class Listing:
    """What a platform can run: the first ``limit`` executables (``None``: all), by title
    then uuid, and how many it can run in all (``count``)."""

    executables: list[dict[str, Any]]
    count: int
    limit: int | None = None

    def to_dict(self, platform: str) -> dict[str, Any]:
        """The JSON of ``esap-registry runnable`` (and ``GET /platforms/{uuid}/runnable``):
        ``platform``, ``count`` (every executable it can run), ``limit`` (``null``: all
        listed) and ``executables``."""
        return {"platform": platform, "count": self.count, "limit": self.limit, "executables": self.executables}


_EXECUTABLE = str(ESAP.Executable)


def _uuid(iri: str) -> str:
    return str(iri).removeprefix("urn:uuid:")


class ReversePlanner:
    """Lists what a platform can run.

    :param registry: the registry whose executables are listed.
    :param reference: combine the clause queries here instead of asking the engine
        (the reference the tests hold the engine to).
    """

    def __init__(self, registry: Registry, *, reference: bool = False) -> None:
        self.registry = registry
        self.store: Store = registry.store
        self.reference = reference

    def runnable(self, platform: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Every executable a platform can run (the first ``limit`` of them), by the
        planner's matching rule at the minima: E is in ``runnable(P)`` exactly when P is
        among ``plan(E)``'s matches.

        The engine answers it over the planning index and the need classes
        (:mod:`registry.needindex`; see :meth:`listing`). The reference
        (``reference=True``) combines the clauses here, as the planner's reference does
        from the executable's side:
        ``runnable-types.rq`` (the types P runs, and narrower ones), once per such type
        ``runnable-executables.rq``, ``runnable-compute.rq``, ``runnable-storage-needs.rq``
        and ``runnable-data-needs.rq`` (what they need), ``runnable-pool-fits.rq`` once
        per distinct compute requirement (the compute clause against P's pools),
        ``plan-local-data.rq`` once per distinct data-content and data-format and
        ``runnable-storage.rq`` (the storage P offers). An executable without compute
        requirements needs a pool with at least one node (the planner's default need).

        :param platform: a registered platform's uuid (or ``urn:uuid:`` IRI).
        :param limit: list only the first ``limit`` (``None``: all).
        :returns: one dict per executable (``executable`` uuid, ``title``, ``type``, and
            ``storage`` offered and needed in GiB), by title then uuid.
        :raises NotFound: when the uuid is not registered.
        :raises InputError: when it is not a UUID, or names an executable.
        """
        return self.listing(platform, limit).executables

    def listing(self, platform: str, limit: int | None = None) -> Listing:
        """The first ``limit`` executables a platform can run (see :meth:`runnable`) and
        how many it can run in all.

        The engine finds the need classes that fit (``runnable-matches.rq``) and lists
        their executables (``runnable-listed.rq``, in tables of at most :data:`~registry.store.terms.ROWS_PER_TABLE` classes),
        which are ordered here by title (none first) then IRI: an on-disk engine's
        ``ORDER BY`` would read both strings from disk at every comparison.

        :raises NotFound: when the uuid is not registered.
        :raises InputError: when it is not a UUID, or names an executable.
        :raises StoreError: when the store fails.
        """
        iri = self._platform(platform)
        with collector_paused():
            if self.reference:
                found = self._runnable(iri)
                return Listing(found[:limit], len(found), limit)
            classes = self._classes(iri)
            rows: dict[str, tuple[str, str, str]] = {}
            for chunk in chunks(list(classes)):
                for row in self.store.select(fill(load_query("runnable-listed"), {"classes": (["class"], [[URIRef(c)] for c in chunk])})):
                    title, executable = needindex.unlisted(row["entry"])
                    rows[executable] = (title or "", executable, row["class"])
            chosen = sorted(rows.values()) if limit is None else heapq.nsmallest(limit, rows.values())
            executables = []
            for title, executable, class_ in chosen:
                fit = classes[class_]
                executables.append({
                    "executable": _uuid(executable),
                    "title": title or None,
                    "type": str(fit["type"]),
                    "storage": {"offered": _number(_decimal(fit["offered"])), "needed": _number(_decimal(fit["needed"]))},
                })
            return Listing(executables, len(rows), limit)

    def count(self, platform: str) -> int:
        """How many executables a platform can run (``runnable-count.rq`` over the need
        classes ``runnable-matches.rq`` finds).

        :raises NotFound: when the uuid is not registered.
        :raises InputError: when it is not a UUID, or names an executable.
        :raises StoreError: when the store fails.
        """
        iri = self._platform(platform)
        if self.reference:
            return len(self._runnable(iri))
        classes = self._classes(iri)
        return sum(count(one(self.store.select(fill(load_query("runnable-count"), {"classes": (["class"], [[URIRef(c)] for c in chunk])}))), "count")
                   for chunk in chunks(list(classes)))

    def _classes(self, platform: URIRef) -> dict[str, dict[str, Any]]:
        """The need classes ``platform`` runs (``runnable-matches.rq``), by IRI, the
        graph of need classes derived whole first when it is not in step."""
        needindex.ensure(self.store)
        return {row["class"]: row for row in self.store.select(fill(load_query("runnable-matches"), binds={"platform": {"platform": platform}}))}

    def _platform(self, platform: str) -> URIRef:
        iri, kind = self.registry.resolve(platform)
        if kind != ESAP.Platform:
            raise InputError(f"{platform} is an executable, not a platform")
        self.registry.prepare()
        return iri

    def _runnable(self, platform: URIRef) -> list[dict[str, Any]]:
        view = self.store
        offered = sum((_decimal(r["size"]) or Decimal(0) for r in view.select(load_query("runnable-storage"), {"platform": platform})), Decimal(0))
        candidates: dict[str, _Candidate] = {}
        for type_row in view.select(load_query("runnable-types"), {"platform": platform}):
            type_ = type_row["type"]
            bindings = {"type": URIRef(type_)}
            for row in self.store.select(load_query("runnable-executables"), bindings):
                if row["class"] == _EXECUTABLE and row["executable"] not in candidates:
                    title = row["title"]
                    candidates[row["executable"]] = _Candidate(str(title) if title is not None else None, type_)
            for row in self.store.select(load_query("runnable-compute"), bindings):
                candidate = candidates.get(row["executable"])
                if candidate is not None:
                    nodes = int(row["nodes"]) if row["nodes"] is not None else 1
                    max_nodes = int(row["maxNodes"]) if row["maxNodes"] is not None else nodes
                    candidate.compute[row["requirement"]] = ComputeNeed(
                        _decimal(row["cores"]) or Decimal(0),
                        _decimal(row["memory"]) or Decimal(0),
                        nodes,
                        max(max_nodes, nodes),
                        _decimal(row["hours"]),
                    )
            for row in self.store.select(load_query("runnable-storage-needs"), bindings):
                candidate = candidates.get(row["executable"])
                if candidate is not None:
                    candidate.storage[row["need"]] = _decimal(row["size"]) or Decimal(0)
            for row in self.store.select(load_query("runnable-data-needs"), bindings):
                candidate = candidates.get(row["executable"])
                if candidate is not None:
                    content, format_ = row["content"], row["format"]
                    candidate.data[row["need"]] = (
                        _decimal(row["size"]) or Decimal(0),
                        URIRef(content) if content is not None else None,
                        URIRef(format_) if format_ is not None else None,
                    )
        fits: dict[ComputeNeed, bool] = {}
        local: dict[tuple[URIRef | None, URIRef | None], bool] = {}
        result: list[dict[str, Any]] = []
        for executable, candidate in candidates.items():
            compute_ok = True
            for need in candidate.compute.values() or (DEFAULT_NEED,):
                fit = fits.get(need)
                if fit is None:
                    fit = fits[need] = bool(view.select(load_query("runnable-pool-fits"), {"platform": platform, **compute_bindings(need)}))
                if not fit:
                    compute_ok = False
                    break
            if not compute_ok:
                continue
            needed = sum(candidate.storage.values(), Decimal(0))
            for size, content, format_ in candidate.data.values():
                here = local.get((content, format_))
                if here is None:
                    here = local[(content, format_)] = bool(local_data(view, DataNeed(content, format_, size), platform_table([platform])))
                if not here:
                    needed += size
            if offered >= needed:
                result.append(
                    {
                        "executable": _uuid(executable),
                        "title": candidate.title,
                        "type": candidate.type,
                        "storage": {"offered": _number(offered), "needed": _number(needed)},
                    }
                )
        result.sort(key=lambda r: (r["title"] or "", r["executable"]))
        return result


# -- the engine's side -------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    """An executable the reverse plan considers: its title and type, and what it needs
    (each requirement once, by its node)."""

    title: str | None
    type: str
    compute: dict[str, ComputeNeed] = field(default_factory=dict)
    storage: dict[str, Decimal] = field(default_factory=dict)  # storage requirement -> minsize GiB
    data: dict[str, tuple[Decimal, URIRef | None, URIRef | None]] = field(default_factory=dict)  # data requirement -> (size, content, format)
