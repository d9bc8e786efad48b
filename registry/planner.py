"""The planner: which platforms can run an executable, which is best, and why not
the others.

The matching rule is SPARQL, run by the engine over the planning index
(:mod:`registry.planindex`, derived from the platforms on every write):

- ``plan-matches.rq``: the planning classes whose pools pass every clause (type, compute
  with the node range, storage with the data held locally), ranked;
- ``plan-rejections.rq``: the classes that fail, fewest failed constraints first, then
  those offering most; ``plan-listed.rq`` lists the platforms of the classes shown;
- ``plan-summary.rq``: one pass counting every platform: passing each constraint,
  matching at both ends of the ranges, and what one milder need would admit;
- ``plan-fitting.rq``: the matches counted (``count_matches``).

This module reads the executable's needs (``plan-requirements.rq``, ``plan-needs.rq``, on
the registry, or on a scratch store for a manifest that is not registered), applies
``--at`` and the overrides, binds the queries' values (:mod:`registry.plan_engine`) and
renders at most ``limit`` matches and rejections: only the platforms shown are read whole
(``plan-pools.rq``, ``plan-type.rq``, ``plan-platforms.rq``, ``plan-storage.rq``,
``plan-local-data.rq``, for those platforms), and each is held to the engine's verdict.
"What would fit" is searched for the rejections shown (:mod:`registry.whatif`).

An executable with several compute requirements is planned by reading every platform
whole and combining the clauses here (each requirement a query of its own), as
``Planner(reference=True)`` plans everything: the reference the tests hold the engine to.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from typing import Literal as TypingLiteral

from rdflib import URIRef
from rdflib.term import Identifier

from registry.errors import InputError, ParameterError, StoreValueError
from registry.launch import launch_url, launch_values
from registry.plan_engine import (
    Table,
    compute_bindings,
    count,
    engine_name,
    engine_values,
    listed,
    local_data,
    match_rank,
    one,
    platform_table,
    rejection_rank,
    summary_dict,
    summary_from,
    whole,
)
from registry.readers import Document
from registry.requirements import DEFAULT_NEED, OVERRIDE_NAMES, ComputeNeed, DataNeed, Overrides, Requirements
from registry.requirements import decimal as _decimal
from registry.requirements import number as _number
from registry.resources import load_query
from registry.runnable import Listing, ReversePlanner
from registry.runtime import collector_paused
from registry.service import Registry
from registry.store import Store, open_store
from registry.store.terms import fill
from registry.vocabulary import ESAP, PLANNING_CLASSES_GRAPH, PLANNING_GRAPH
from registry.whatif import Pool, Search, Side

logger = logging.getLogger(__name__)
__all__ = ["DEFAULT_LIMIT", "ComputeNeed", "DataNeed", "Overrides", "Plan", "Planner", "Requirements", "parse_limit"]

At = TypingLiteral["min", "max"]

#: How many matches and rejections the command line, the API and the pages list unless
#: told otherwise (``--limit all`` lists every one); the summary always counts all.
DEFAULT_LIMIT = 20


def parse_limit(value: int | str | None) -> int | None:
    """A ``--limit`` (``?limit=``): a whole number of at least 1, or ``all`` (None);
    :data:`DEFAULT_LIMIT` when not given.

    :raises ParameterError: for anything else.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_LIMIT
    text = str(value).strip().lower()
    if text == "all":
        return None
    if not text.isdigit() or int(text) < 1:
        raise ParameterError("limit", "must be a whole number of at least 1, or all", value)
    return int(text)


# -- the plan ------------------------------------------------------------------

@dataclass
class Plan:
    """The answer: ranked matches, explained rejections and a summary."""

    executable: str | None
    title: str | None
    at: str
    requirements: Requirements
    matches: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The plan as the JSON of ``esap-registry plan --format json`` and ``GET /plan``."""
        head = {"executable": self.executable, "title": self.title, "at": self.at, "requirements": self.requirements.to_dict()}
        return {**head, "matches": self.matches, "rejected": self.rejected, "summary": self.summary}


@dataclass(slots=True)
class _Platform:
    iri: str
    title: str
    url: str | None
    launch: str | None
    type_ok: bool
    types: list[str]
    storage: Decimal


@dataclass(slots=True)
class _Evaluation:
    """One platform against one set of requirements (the verdicts are worked out once)."""

    platform: _Platform
    rows: list[list[dict[str, Any]]]  # per compute need: the platform's pool rows, fitting ones first
    pools: list[dict[str, Any] | None]  # per compute need: the fitting pool, or None
    closest: list[dict[str, Any] | None]  # per compute need: the pool that came closest
    local: list[bool]  # per data need
    storage_need: Decimal
    passing: dict[str, bool]  # per compute flag (nodesOk ...): some pool passes it for every need
    compute_ok: bool = field(init=False)
    storage_ok: bool = field(init=False)
    matches: bool = field(init=False)
    cores: Decimal = field(init=False)  # allocated in the fitting pools
    memory: Decimal = field(init=False)

    def __post_init__(self) -> None:
        fitting = [pool for pool in self.pools if pool is not None]
        self.compute_ok = len(fitting) == len(self.pools)
        self.storage_ok = self.platform.storage >= self.storage_need
        self.matches = self.platform.type_ok and self.compute_ok and self.storage_ok
        self.cores = sum((p["allocCores"] for p in fitting), Decimal(0))
        self.memory = sum((p["allocMemory"] for p in fitting), Decimal(0))

    def side(self) -> Side:
        """The platform's side of the rule, for the "would fit" search."""
        rows = self.rows[0] if self.rows else []
        pools = tuple(
            Pool(
                str(r["pool"]),
                int(r["poolNodes"]),
                _decimal(r["coresPerNode"]) or Decimal(0),
                _decimal(r["memoryPerNode"]) or Decimal(0),
                _decimal(r["walltime"]),
            )
            for r in rows
        )
        return Side(pools, self.platform.storage, tuple(self.local))


_EXECUTABLE = str(ESAP.Executable)

#: The compute flags of ``plan-pools.rq``, and the constraint each stands for.
_FLAG_NAMES = {"nodesOk": "nodes", "coresOk": "cores", "memoryOk": "memory", "walltimeOk": "walltime"}
_FLAGS = tuple(_FLAG_NAMES)

#: The unit of each constraint's figures in a rejection's reasons (none for the type).
_UNITS = {"nodes": "nodes", "cores": "cores", "memory": "GiB", "walltime": "h", "storage": "GiB"}


def _uuid(iri: Identifier | str | None) -> str | None:
    return str(iri).removeprefix("urn:uuid:") if iri is not None else None


class Planner:
    """Plans executables against the platforms of a registry.

    :param registry: the registry whose platforms are planned against.
    :param reference: plan by reading every platform whole through the clause queries
        and combining their answers here, as for an executable with several compute
        requirements, instead of letting the engine filter, rank, count and cut: the
        reference the tests hold the engine's answers to.
    :param fallback: plan the reference way when the engine's answers disagree with each
        other or with the clause queries (a ``StoreValueError`` otherwise), logged as a
        warning and counted in ``fallbacks``.
    """

    def __init__(self, registry: Registry, *, reference: bool = False, fallback: bool = True) -> None:
        self.registry = registry
        self.store: Store = registry.store
        self.reference = reference
        self.fallback = fallback
        self.fallbacks = 0

    def _index(self) -> Store:
        """Where the engine's queries run: the planning index, in memory when the store
        can keep a copy (the embedded store on disk)."""
        return self.store.cached_view([PLANNING_GRAPH, PLANNING_CLASSES_GRAPH])

    # -- reading needs -----------------------------------------------------------

    def _needs_from(self, store: Store, executable: URIRef) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        rows = store.select(load_query("plan-requirements"), {"executable": executable})
        if not rows:
            raise InputError(f"{executable} is not an executable with a type")
        needs = store.select(load_query("plan-needs"), {"executable": executable})
        compute = [r for r in rows if r["requirement"] is not None]
        return rows[0], compute, needs

    @staticmethod
    def _pick(document: Document, uuid: str | None) -> URIRef:
        """The executable of a manifest to plan: its only one, or the one named ``uuid``.

        :raises InputError: when it holds none, or several and ``uuid`` names none of them.
        """
        executables = document.executables()
        if uuid is not None:
            wanted = f"urn:uuid:{uuid.strip().lower()}"
            for executable in executables:
                if str(executable) == wanted:
                    return executable
            listed = ", ".join(_uuid(e) or "" for e in executables) or "none"
            raise ParameterError("uuid", f"is not the uuid of an executable in {document.source} (its executables: {listed})", uuid)
        if len(executables) == 1:
            return executables[0]
        if not executables:
            raise InputError(f"a manifest to plan must hold an executable; {document.source} holds none")
        listed = ", ".join(_uuid(e) or "" for e in executables)
        raise InputError(
            f"{document.source} holds {len(executables)} executables: name the one to plan with --uuid "
            f"(?uuid= on the web): {listed}"
        )

    def requirements(
        self, target: str | Document, at: At = "min", overrides: Overrides | None = None, *, uuid: str | None = None
    ) -> tuple[str | None, str | None, Requirements]:
        """What the executable needs at the minima (or maxima), after overrides.

        :param target: a registered executable's uuid, or a document holding executables.
        :param uuid: which executable of a document holding several.
        :returns: (uuid, title, requirements).
        :raises NotFound: when the uuid is not registered.
        :raises InputError: when the target is not an executable, or an override is bad.
        """
        executable, title, base = self._base(target, at, uuid)
        return _uuid(executable), title, base.with_overrides((overrides or Overrides()).parsed())

    def _read(self, target: str | Document, uuid: str | None) -> tuple[URIRef, tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]:
        """The executable and what it needs, as ``plan-requirements.rq`` and ``plan-needs.rq`` read it."""
        if isinstance(target, Document):
            executable = self._pick(target, uuid)
            scratch = open_store("memory")
            scratch.replace_graphs({executable: target.entries[executable]})
            needs = self._needs_from(scratch, executable)
            scratch.close()
            return executable, needs
        executable, kind = self.registry.resolve(target)
        if kind != ESAP.Executable:
            raise InputError(f"{target} is a platform, not an executable")
        return executable, self._needs_from(self.store, executable)

    def _base(self, target: str | Document, at: At, uuid: str | None = None, read: tuple[URIRef, Any] | None = None) -> tuple[URIRef, str | None, Requirements]:
        """The executable's own needs at the minima or maxima, before overrides (``read``:
        what :meth:`_read` gave, not read again)."""
        if at not in ("min", "max"):
            raise ParameterError("at", "must be min or max", at)
        executable, (head, compute_rows, need_rows) = read or self._read(target, uuid)
        maxima = at == "max"
        compute: list[ComputeNeed] = []
        for row in compute_rows:
            cores = _decimal(row["maxCores"] if maxima and row["maxCores"] is not None else row["cores"]) or Decimal(0)
            memory = _decimal(row["maxMemory"] if maxima and row["maxMemory"] is not None else row["memory"]) or Decimal(0)
            nodes = int(row["nodes"]) if row["nodes"] is not None else 1
            max_nodes = int(row["maxNodes"]) if row["maxNodes"] is not None else nodes
            compute.append(ComputeNeed(cores, memory, nodes, max(max_nodes, nodes), _decimal(row["hours"])))
        if not compute:
            compute.append(DEFAULT_NEED)
        storage = Decimal(0)
        data: list[DataNeed] = []
        for row in need_rows:
            size = _decimal(row["maxSize"] if maxima and row["maxSize"] is not None else row["size"])
            if str(row["kind"]) == "storage":
                storage += size or Decimal(0)
            else:
                data.append(
                    DataNeed(
                        content=URIRef(row["content"]) if row["content"] is not None else None,
                        format=URIRef(row["format"]) if row["format"] is not None else None,
                        size=size,
                        uuid=str(row["uuid"]) if row["uuid"] is not None else None,
                        title=str(row["title"]) if row["title"] is not None else None,
                    )
                )
        location = {k: str(head[k]) for k in ("repository", "ref", "path") if head.get(k) is not None}
        requirements = Requirements(URIRef(head["type"]), tuple(compute), storage, tuple(data), location)
        title = str(head["title"]) if head["title"] is not None else None
        return executable, title, requirements

    # -- the clauses -----------------------------------------------------------------

    def _platforms(self, view: Store, type_: URIRef, table: Table) -> dict[str, _Platform]:
        passing = {row["platform"] for row in view.select(fill(load_query("plan-type"), table), {"type": type_})}
        storage: dict[str, Decimal] = defaultdict(Decimal)
        for row in view.select(fill(load_query("plan-storage"), table)):
            storage[row["platform"]] += _decimal(row["size"]) or Decimal(0)
        platforms: dict[str, _Platform] = {}
        for row in view.select(fill(load_query("plan-platforms"), table)):
            name = row["platform"]
            title = row["title"]
            url = row["url"]
            launch = row["launch"]
            platforms[name] = _Platform(
                iri=name,
                title=str(title) if title is not None else name,
                url=str(url) if url is not None else None,
                launch=str(launch) if launch is not None else None,
                type_ok=name in passing,
                types=[],
                storage=storage.get(name, Decimal(0)),
            )
        return platforms

    def _offered_types(self, view: Store, platforms: Sequence[_Platform]) -> None:
        """Fill in the types the given platforms run (one query, for those platforms)."""
        wanted = {p.iri: p for p in platforms}
        if not wanted:
            return
        rows = view.select(fill(load_query("plan-offered-types"), platform_table(wanted)))
        types: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            types[row["platform"]].append(str(row["runs"]))
        for iri, platform in wanted.items():
            platform.types = sorted(types.get(iri, []))

    def _pools(self, view: Store, need: ComputeNeed, table: Table) -> dict[str, list[dict[str, Any]]]:
        """Each platform's pools, fitting ones first, then by least allocated cores and memory;
        the flags read as booleans whichever way the engine wrote them."""
        rows = view.select(fill(load_query("plan-pools"), table), compute_bindings(need))
        pools: dict[str, list[dict[str, Any]]] = defaultdict(list)
        zero = Decimal(0)
        for row in rows:
            fits = True
            for flag in _FLAGS:
                row[flag] = value = _FLAG_VALUES.get(row[flag])
                if value is None:
                    _unreadable(row, flag, self.store)
                fits = fits and value
            row["fits"] = fits
            if fits:
                nodes = _decimal(row["allocNodes"]) or zero
                row["allocCores"] = nodes * (_decimal(row["coresPerNode"]) or zero)
                row["allocMemory"] = nodes * (_decimal(row["memoryPerNode"]) or zero)
            pools[row["platform"]].append(row)
        for platform_pools in pools.values():
            if len(platform_pools) > 1:
                platform_pools.sort(key=lambda r: (False, r["allocCores"], r["allocMemory"], r["pool"]) if r["fits"] else (True, zero, zero, r["pool"]))
        return pools

    def _evaluate(
        self, requirements: Requirements, only: Sequence[str] | None = None
    ) -> tuple[dict[str, _Evaluation], list[dict[str, str | None]]]:
        """Every platform (or ``only`` those) against the requirements, from the clause
        queries' answers."""
        view = self._index()
        table = platform_table(only) if only is not None else None
        if only is not None and not only:
            return {}, [{} for _ in requirements.data]
        platforms = self._platforms(view, requirements.type, table)
        pools_per_need = [self._pools(view, need, table) for need in requirements.compute]
        local_per_data = [local_data(view, need, table) for need in requirements.data]
        sizes = [d.staged for d in requirements.data]
        evaluations: dict[str, _Evaluation] = {}
        nothing: list[dict[str, Any]] = []
        for iri, platform in platforms.items():
            per_need: list[list[dict[str, Any]]] = []
            fitting: list[dict[str, Any] | None] = []
            closest: list[dict[str, Any] | None] = []
            passing = dict.fromkeys(_FLAGS, True)
            for pools in pools_per_need:
                rows = pools.get(iri, nothing)
                per_need.append(rows)
                fit = rows[0] if rows and rows[0]["fits"] else None
                fitting.append(fit)
                closest.append(fit or _closest(rows))
                for flag in _FLAGS:
                    if passing[flag] and not any(row[flag] for row in rows):
                        passing[flag] = False
            local = [iri in here for here in local_per_data]
            staged = sum((size for size, here in zip(sizes, local, strict=True) if not here), Decimal(0))
            evaluations[iri] = _Evaluation(platform, per_need, fitting, closest, local, requirements.storage + staged, passing)
        return evaluations, local_per_data

    # -- planning --------------------------------------------------------------------

    def plan(
        self,
        target: str | Document,
        *,
        at: At = "min",
        overrides: Overrides | None = None,
        limit: int | None = None,
        uuid: str | None = None,
    ) -> Plan:
        """Plan an executable: ranked matches, explained rejections, what would fit, and
        what-if counts.

        :param target: a registered executable's uuid, or a document holding executables.
        :param at: plan at the minima (default) or the maxima of its ranges.
        :param overrides: needs raised or lowered on top of ``at``.
        :param limit: list only the best ``limit`` matches and the ``limit`` nearest
            rejections (the summary still counts every platform); ``None`` lists all.
        :param uuid: which executable of a document holding several.
        :raises NotFound: when the uuid is not registered.
        :raises InputError: when an override is negative or not a number, the target is
            no executable, a document holds several and ``uuid`` names none, or the
            limit is below 1.
        """
        if limit is not None and limit < 1:
            raise InputError(f"--limit must be at least 1 (got {limit})")
        with collector_paused():
            return self._plan(target, at, overrides, limit, uuid)

    def _plan(self, target: str | Document, at: At, overrides: Overrides | None, limit: int | None, uuid: str | None) -> Plan:
        given = (overrides or Overrides()).parsed()
        read = self._read(target, uuid) if at in ("min", "max") else None
        executable, title, base = self._base(target, at, uuid, read)
        requirements = base.with_overrides(given)
        self.registry.prepare()
        search = Search(base, given)
        other: At = "max" if at == "min" else "min"
        _, _, other_base = self._base(target, other, uuid, read)
        other_requirements = other_base.with_overrides(given)
        engine = not self.reference and len(requirements.compute) == 1 and len(other_requirements.compute) == 1
        try:
            fitting, failing, summary = self._ranked(requirements, other_requirements, search, limit) if engine else ((), (), {})
        except StoreValueError as exc:
            if not self.fallback:
                raise
            self.fallbacks, engine = self.fallbacks + 1, False
            logger.warning("planned the reference way: %s", exc)
        if not engine:
            fitting, failing, summary = self._everything(requirements, search)
            summary["other-matches"] = sum(e.matches for e in self._evaluate(other_requirements)[0].values())
        shown = failing[:limit]
        self._offered_types(self._index(), [e.platform for e in shown if not e.platform.type_ok])
        location = launch_values(requirements.location)
        local_per_data = self._local_titles(requirements, fitting[:limit])
        matches = [self._match(e, requirements, local_per_data, location) for e in fitting[:limit]]
        for rank, match in enumerate(matches, start=1):
            match["rank"] = rank
        rejected = [self._rejection(e, requirements) for e in shown]
        for evaluation, rejection in zip(shown, rejected, strict=True):
            if evaluation.platform.type_ok:
                fix = search.would_fit(evaluation.side())
                rejection["would-fit"] = {name: _number(value) for name, value in fix.items()} if fix is not None else None
        other_matches = summary.pop("other-matches")
        summary[f"matches-at-{at}"] = summary["matches"]
        summary["limit"] = limit
        summary[f"matches-at-{other}"] = other_matches
        return Plan(_uuid(executable), title, at, requirements, matches, rejected, summary)

    def _ranked(
        self, requirements: Requirements, other: Requirements, search: Search, limit: int | None
    ) -> tuple[list[_Evaluation], list[_Evaluation], dict[str, Any]]:
        """The best ``limit`` matches, the ``limit`` nearest rejections and the summary, the
        engine filtering, ranking, counting and cutting (``plan-matches.rq``,
        ``plan-rejections.rq``, ``plan-summary.rq``); only the platforms shown are read
        whole, and each is held to the engine's verdict."""
        view = self._index()
        summed = engine_values(requirements, search, other)
        row = one(view.select(fill(load_query("plan-summary"), summed.tables, {"plan": {**summed.plan, **summed.need}})))
        summary = summary_from(row, requirements)
        whole(view, summary, self.store)
        summary["other-matches"] = count(row, "otherMatches")
        values = engine_values(requirements, search)
        binds = {"plan": {**values.plan, **values.need}}
        matched = listed(view, fill(load_query("plan-matches"), values.tables, binds), match_rank, limit)
        rejected = listed(view, fill(load_query("plan-rejections"), values.tables, binds), rejection_rank, limit)
        if limit is None and (len(matched) != summary["matches"] or len(rejected) != summary["platforms"] - summary["matches"]):
            raise StoreValueError(
                f"{engine_name(self.store)} counted {summary['matches']} matches of {summary['platforms']} platforms but listed "
                f"{len(matched)} matches and {len(rejected)} rejections (queries/plan-summary.rq, plan-matches.rq, plan-rejections.rq)"
            )
        evaluations, _ = self._evaluate(requirements, None if limit is None else [*matched, *rejected])
        fitting = [evaluations[iri] for iri in matched if iri in evaluations]
        failing = [evaluations[iri] for iri in rejected if iri in evaluations]
        if any(not e.matches for e in fitting) or any(e.matches for e in failing) or len(fitting) + len(failing) != len(evaluations):
            raise StoreValueError(
                f"{engine_name(self.store)} answered queries/plan-matches.rq or plan-rejections.rq otherwise than the clause "
                "queries (plan-pools.rq, plan-type.rq, plan-local-data.rq) for the same platforms"
            )
        return fitting, failing, summary

    def _everything(self, requirements: Requirements, search: Search) -> tuple[list[_Evaluation], list[_Evaluation], dict[str, Any]]:
        """Every platform read whole and combined here: the plan of an executable with
        several compute requirements (each a query of its own; every one must be met)."""
        evaluations, _ = self._evaluate(requirements)
        fitting = sorted((e for e in evaluations.values() if e.matches), key=_rank_key)
        failing = sorted((e for e in evaluations.values() if not e.matches), key=_nearness)
        singles = {e.platform.iri: search.single_fixes(e.side()) for e in failing if e.platform.type_ok}
        return fitting, failing, self._summary(evaluations, requirements, singles)

    def _local_titles(self, requirements: Requirements, shown: Sequence[_Evaluation]) -> list[dict[str, str | None]]:
        """Per data need, the shown platforms holding it and the title of the collection."""
        if not requirements.data or not shown:
            return [{} for _ in requirements.data]
        table = platform_table([e.platform.iri for e in shown])
        return [local_data(self._index(), need, table) for need in requirements.data]

    def count_matches(self, requirements: Requirements) -> int:
        """How many platforms match, without ranking or explaining: ``plan-fitting.rq``
        for one compute requirement; several are combined here."""
        self.registry.prepare()
        if self.reference or len(requirements.compute) != 1:
            evaluations, _ = self._evaluate(requirements)
            return sum(1 for e in evaluations.values() if e.matches)
        values = engine_values(requirements, None)
        row = one(self._index().select(fill(load_query("plan-fitting"), values.tables, {"plan": {**values.plan, **values.need}})))
        return int(row.get("matches") or 0)

    def _match(
        self,
        evaluation: _Evaluation,
        requirements: Requirements,
        local_per_data: list[dict[str, str | None]],
        location: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        platform = evaluation.platform
        pools = [p for p in evaluation.pools if p is not None]
        described = [_pool(p) for p in pools]
        allocations = [
            {"nodes": _number(_decimal(p["allocNodes"])), "cores": _number(p["allocCores"]), "memory": _number(p["allocMemory"])}
            for p in pools
        ]
        local_data = [
            {"uuid": need.uuid, "title": need.title, "collection": local_per_data[i].get(platform.iri)}
            for i, need in enumerate(requirements.data)
            if evaluation.local[i]
        ]
        single = len(pools) == 1
        return {
            "platform": _uuid(platform.iri),
            "title": platform.title,
            "pool": described[0] if single else described,
            "allocation": allocations[0] if single else allocations,
            "local-data": local_data,
            "storage": {"offered": _number(platform.storage), "needed": _number(evaluation.storage_need)},
            "score": {"local-data": len(local_data), "cores": _number(evaluation.cores), "memory": _number(evaluation.memory)},
            "launch": launch_url(platform.launch, platform.url, location),
        }

    def _rejection(self, evaluation: _Evaluation, requirements: Requirements) -> dict[str, Any]:
        platform = evaluation.platform
        reasons: list[dict[str, Any]] = []
        if not platform.type_ok:
            reasons.append({"constraint": "type", "required": str(requirements.type), "offered": platform.types})
        several = len(requirements.compute) > 1
        for index, (need, fit, close) in enumerate(zip(requirements.compute, evaluation.pools, evaluation.closest, strict=True)):
            if fit is not None:
                continue
            extra = {"requirement": index} if several else {}
            if close is None:
                reasons.append({"constraint": "compute", "required": need.to_dict(), "offered": None, **extra})
                continue
            pool = str(close["pool"])
            at = _number(_decimal(close["atNodes"]))
            if not close["nodesOk"]:
                reasons.append(_reason("nodes", need.nodes, close["poolNodes"], pool=pool, **extra))
            if not close["coresOk"]:
                offered = (_decimal(close["atNodes"]) or Decimal(0)) * (_decimal(close["coresPerNode"]) or Decimal(0))
                reasons.append(_reason("cores", need.cores, offered, at=at, pool=pool, **extra))
            if not close["memoryOk"]:
                offered = (_decimal(close["atNodes"]) or Decimal(0)) * (_decimal(close["memoryPerNode"]) or Decimal(0))
                reasons.append(_reason("memory", need.memory, offered, at=at, pool=pool, **extra))
            if not close["walltimeOk"]:
                reasons.append(_reason("walltime", need.hours, close["walltime"], pool=pool, **extra))
        if not evaluation.storage_ok:
            reasons.append(_reason("storage", evaluation.storage_need, platform.storage))
        return {"platform": _uuid(platform.iri), "title": platform.title, "reasons": reasons}

    @staticmethod
    def _summary(evaluations: Mapping[str, _Evaluation], requirements: Requirements, singles: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        passing = {"type": 0, "nodes": 0, "cores": 0, "memory": 0, "walltime": 0, "storage": 0}
        for evaluation in evaluations.values():
            passing["type"] += evaluation.platform.type_ok
            passing["storage"] += evaluation.storage_ok
            for flag, name in _FLAG_NAMES.items():
                passing[name] += evaluation.passing[flag]
        admit = dict.fromkeys(OVERRIDE_NAMES, 0)
        for fixes in singles.values():
            for name in fixes:
                admit[name] += 1
        matches = sum(1 for e in evaluations.values() if e.matches)
        return summary_dict(len(evaluations), matches, passing, admit, requirements)

    # -- the reverse plan --------------------------------------------------------------

    def runnable(self, platform: str, limit: int | None = None) -> Listing:
        """The first ``limit`` executables a platform can run (``None``: all), and their
        count (see :class:`registry.runnable.ReversePlanner`).

        :raises NotFound: when the uuid is not registered.
        :raises InputError: when it is not a UUID, or names an executable.
        """
        return ReversePlanner(self.registry, reference=self.reference).listing(platform, limit)


def _pool(row: Mapping[str, Any]) -> dict[str, Any]:
    """A node pool as it is: its IRI, node count and per-node figures."""
    return {
        "iri": str(row["pool"]),
        "nodes": _number(_decimal(row["poolNodes"])),
        "cores-per-node": _number(_decimal(row["coresPerNode"])),
        "memory-per-node": _number(_decimal(row["memoryPerNode"])),
        "maxwalltime": _number(_decimal(row["walltime"])),
        "gpus-per-node": _number(_decimal(row["gpus"])),
    }


def _reason(constraint: str, required: object, offered: object, *, at: int | float | None = None, **extra: Any) -> dict[str, Any]:
    """One failed constraint: what was required, what was offered, in which unit (and
    at how many nodes, for cores and memory)."""
    reason: dict[str, Any] = {
        "constraint": constraint,
        "required": _number(_decimal(required)),
        "offered": _number(_decimal(offered)),
        "unit": _UNITS[constraint],
    }
    if at is not None:
        reason["at-nodes"] = at
    reason.update(extra)
    return reason


#: How a flag of ``plan-pools.rq`` reads: 1 or 0, or true or false as some engines write
#: them (``True == 1`` and ``Decimal(1) == 1`` hash alike, so one lookup reads them all).
_FLAG_VALUES: dict[object, bool] = {1: True, 0: False}


def _unreadable(row: Mapping[str, Any], name: str, store: Store) -> None:
    """A flag of ``plan-pools.rq`` that is neither 1 nor 0.

    :raises StoreValueError: naming the engine and the query: a value the planner cannot
        read must not look like a "no".
    """
    engine = getattr(store, "engine", None) or type(store).__name__
    raise StoreValueError(f"{engine} answered queries/plan-pools.rq with {name} = {row[name]!r}, which is neither 1 nor 0")


def _rank_key(evaluation: _Evaluation) -> tuple[int, Decimal, Decimal, str, str]:
    """Most local data first, then least allocated cores, least allocated memory, title."""
    return (-sum(evaluation.local), evaluation.cores, evaluation.memory, evaluation.platform.title, _uuid(evaluation.platform.iri) or "")


def _failures(evaluation: _Evaluation) -> int:
    """How many reasons a rejection lists (as :meth:`Planner._rejection` writes them)."""
    count = 0 if evaluation.platform.type_ok else 1
    for fit, close in zip(evaluation.pools, evaluation.closest, strict=True):
        if fit is not None:
            continue
        if close is None:
            count += 1
        else:
            count += sum(not close[flag] for flag in _FLAGS)
    return count + (not evaluation.storage_ok)


def _nearness(evaluation: _Evaluation) -> tuple[Any, ...]:
    """Fewest failed constraints first, then the most offered: per compute need the most
    cores and the most memory a pool gives within the node range, then storage; then title."""
    offers: list[Decimal] = []
    for rows in evaluation.rows:
        at = [_decimal(r["atNodes"]) or Decimal(0) for r in rows]
        offers.append(-max((n * (_decimal(r["coresPerNode"]) or 0) for n, r in zip(at, rows, strict=True)), default=Decimal(0)))
        offers.append(-max((n * (_decimal(r["memoryPerNode"]) or 0) for n, r in zip(at, rows, strict=True)), default=Decimal(0)))
    return (_failures(evaluation), *offers, -evaluation.platform.storage, evaluation.platform.title, str(evaluation.platform.iri))


def _closest(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The pool that fails the fewest constraints, then offers the most within the range."""
    if not rows:
        return None

    def key(row: dict[str, Any]) -> tuple[int, Decimal, Decimal]:
        passed = sum(row[f] for f in _FLAGS)
        at = _decimal(row["atNodes"]) or Decimal(0)
        return (-passed, -(at * (_decimal(row["coresPerNode"]) or Decimal(0))), -(at * (_decimal(row["memoryPerNode"]) or Decimal(0))))

    return min(rows, key=key)

