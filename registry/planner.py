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
``plan-local-data.rq``, for those platforms; their rows combined by
:mod:`registry.evaluation`), and each is held to the engine's verdict. With no limit,
what every platform shows is kept until the store's next write
(:mod:`registry.directory`) and the clauses are judged once per planning class
(``plan-class-type.rq``, ``plan-class-pools.rq``). "What would fit" is
searched for the rejections shown (:mod:`registry.whatif`). Queries that do not wait for
each other's answers run at once where the store gains by it
(:func:`registry.runtime.gather`): the summary, matches and rejections, then the clause
queries.

An executable with several compute requirements is planned by reading every platform
whole and combining the clauses here (each requirement a query of its own), as
``Planner(reference=True)`` plans everything: the reference the tests hold the engine to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from typing import Literal as TypingLiteral

from rdflib import URIRef
from rdflib.term import Identifier

from registry.directory import read_directory
from registry.errors import InputError, ParameterError, StoreValueError
from registry.evaluation import (
    FLAG_NAMES,
    Evaluation,
    PlatformFacts,
    combine,
    nearness,
    offered_types,
    platforms_from,
    pool_rows,
    rank_key,
)
from registry.launch import launch_url, launch_values
from registry.plan_engine import (
    Table,
    choose_classes,
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
    total_platforms,
    whole,
)
from registry.readers import Document
from registry.requirements import DEFAULT_NEED, OVERRIDE_NAMES, ComputeNeed, DataNeed, Overrides, Requirements
from registry.requirements import decimal as _decimal
from registry.requirements import number as _number
from registry.resources import load_query
from registry.runnable import Listing, ReversePlanner
from registry.runtime import collector_paused, gather
from registry.service import Registry
from registry.store import Store, open_store
from registry.store.terms import fill
from registry.vocabulary import ESAP, PLANNING_CLASSES_GRAPH, PLANNING_GRAPH
from registry.whatif import Search

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


_EXECUTABLE = str(ESAP.Executable)

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
        rows, needs = gather(
            lambda: store.select(load_query("plan-requirements"), {"executable": executable}),
            lambda: store.select(load_query("plan-needs"), {"executable": executable}),
            at_once=store.parallel_reads,
        )
        if not rows:
            raise InputError(f"{executable} is not an executable with a type")
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

    def _offered_types(self, view: Store, platforms: Sequence[PlatformFacts]) -> None:
        """Fill in the types the given platforms run, where not read yet (one query, for those platforms)."""
        wanted = [p for p in platforms if p.types is None]
        if wanted:
            offered_types(wanted, view.select(fill(load_query("plan-offered-types"), platform_table(p.iri for p in wanted))))

    def _pools(self, view: Store, need: ComputeNeed, table: Table) -> dict[str, list[dict[str, Any]]]:
        """Each platform's pools of ``plan-pools.rq`` (:func:`registry.evaluation.pool_rows`)."""
        return pool_rows(view.select(fill(load_query("plan-pools"), table, {"need": compute_bindings(need)})), engine_name(self.store))

    def _clauses(self, view: Store, requirements: Requirements, only: Sequence[str] | None, *, shown: bool = True) -> list[Callable[[], Any]]:
        """The clause queries for every platform (or ``only`` those), to be run by
        :func:`registry.runtime.gather` and read by :meth:`_combine`; for every platform
        ``shown``, the types each runs too (those of another type say what they run).
        The pools come first: the longest to answer, they start first when the calls
        outnumber the threads (on ``oxigraph serve``, 40 platforms' pools take as long as
        their type, storage and facts together)."""
        table = platform_table(only) if only is not None else None
        return [
            *(lambda need=need: self._pools(view, need, table) for need in requirements.compute),
            lambda: view.select(fill(load_query("plan-type"), table, {"type": {"type": requirements.type}})),
            lambda: view.select(fill(load_query("plan-storage"), table)),
            lambda: view.select(fill(load_query("plan-platforms"), table)),
            lambda: view.select(load_query("plan-offered-types")) if only is None and shown else None,
            *(lambda need=need: local_data(view, need, table) for need in requirements.data),
        ]

    def _class_clauses(self, view: Store, requirements: Requirements) -> list[Callable[[], Any]]:
        """For a plan showing every platform of an executable with one compute need: what
        the planner shows of every platform (:mod:`registry.directory`, kept until the
        store's next write) and the type and compute clauses judged once per planning
        class, to be run by :func:`registry.runtime.gather` and read by
        :meth:`_combine_classes`; the data held locally, platform by platform."""
        (need,) = requirements.compute
        return [
            lambda: self.store.kept("plan-directory", lambda: read_directory(view)),
            lambda: view.select(load_query("plan-class-type"), {"type": requirements.type}),
            lambda: view.select(fill(load_query("plan-class-pools"), None, {"need": compute_bindings(need)})),
            *(lambda data=data: local_data(view, data, None) for data in requirements.data),
        ]

    def _combine_classes(self, requirements: Requirements, answers: Sequence[Any]) -> dict[str, Evaluation]:
        """The evaluations of every platform from :meth:`_class_clauses`' answers."""
        directory, typed, class_pools, *local_per_data = answers
        platforms, pools = directory.platforms(typed, class_pools, engine_name(self.store))
        return combine(requirements, platforms, [pools], local_per_data)

    @staticmethod
    def _combine(requirements: Requirements, answers: Sequence[Any]) -> tuple[dict[str, Evaluation], list[dict[str, str | None]]]:
        """The evaluations of the clause queries' answers (in :meth:`_clauses`' order)."""
        pools_per_need, rest = answers[: len(requirements.compute)], answers[len(requirements.compute) :]
        typed, stored, described, offered, *local_per_data = rest
        platforms = platforms_from(typed, stored, described)
        if offered is not None:
            offered_types([p for p in platforms.values() if not p.type_ok], offered)
        return combine(requirements, platforms, pools_per_need, local_per_data), local_per_data

    def _evaluate(
        self, requirements: Requirements, only: Sequence[str] | None = None, *, shown: bool = True
    ) -> tuple[dict[str, Evaluation], list[dict[str, str | None]]]:
        """Every platform (or ``only`` those) against the requirements, from the clause
        queries' answers (run at once where the store gains by it); ``shown=False`` when
        they are only counted."""
        if only is not None and not only:
            return {}, [{} for _ in requirements.data]
        view = self._index()
        return self._combine(requirements, gather(*self._clauses(view, requirements, only, shown=shown), at_once=view.parallel_reads))

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
            summary["other-matches"] = sum(e.matches for e in self._evaluate(other_requirements, shown=False)[0].values())
        shown = failing[:limit]
        _, local_per_data = gather(
            lambda: self._offered_types(self._index(), [e.platform for e in shown if not e.platform.type_ok]),
            lambda: self._local_titles(requirements, fitting[:limit]),
            at_once=self._index().parallel_reads,
        )
        location = launch_values(requirements.location)
        matches = [self._match(e, requirements, local_per_data, location) for e in fitting[:limit]]
        for rank, match in enumerate(matches, start=1):
            match["rank"] = rank
        rejected = self._rejections(shown, requirements, search)
        other_matches = summary.pop("other-matches")
        summary[f"matches-at-{at}"] = summary["matches"]
        summary["limit"] = limit
        summary[f"matches-at-{other}"] = other_matches
        return Plan(_uuid(executable), title, at, requirements, matches, rejected, summary)

    def _ranked(
        self, requirements: Requirements, other: Requirements, search: Search, limit: int | None
    ) -> tuple[list[Evaluation], list[Evaluation], dict[str, Any]]:
        """The best ``limit`` matches, the ``limit`` nearest rejections and the summary, the
        engine filtering, ranking, counting and cutting (``plan-matches.rq``,
        ``plan-rejections.rq``, ``plan-summary.rq``); only the platforms shown are read
        whole, and each is held to the engine's verdict."""
        view = self._index()
        summed = engine_values(requirements, search, other)
        values = engine_values(requirements, search)
        binds = {"plan": {**values.plan, **values.need}}
        matching = fill(load_query("plan-matches"), values.tables, binds)
        rejecting = fill(load_query("plan-rejections"), values.tables, binds)
        # three passes over the planning classes, at once where the store gains by it;
        # with no limit every platform is shown: the classes' clauses and what the
        # planner shows of every platform join them, which lists the ranked classes'
        # platforms by title (as plan-listed.rq lists some)
        # (the longest first: they start first when the calls outnumber the threads)
        ranking: list[Callable[[], Any]]
        if limit is None:
            ranking = [lambda: choose_classes(view.select(rejecting), rejection_rank, None), lambda: choose_classes(view.select(matching), match_rank, None)]
        else:
            ranking = [lambda: listed(view, rejecting, rejection_rank, limit), lambda: listed(view, matching, match_rank, limit)]
        row, rejected, matched, total, *clauses = gather(
            lambda: one(view.select(fill(load_query("plan-summary"), summed.tables, {"plan": {**summed.plan, **summed.need}}))),
            *ranking,
            lambda: total_platforms(view),
            *(self._class_clauses(view, requirements) if limit is None else ()),
            at_once=view.parallel_reads,
        )
        if clauses:
            matched, rejected = clauses[0].in_order(matched), clauses[0].in_order(rejected)
        summary = summary_from(row, requirements)
        whole(total, summary, self.store)
        summary["other-matches"] = count(row, "otherMatches")
        if limit is None and (len(matched) != summary["matches"] or len(rejected) != summary["platforms"] - summary["matches"]):
            raise StoreValueError(
                f"{engine_name(self.store)} counted {summary['matches']} matches of {summary['platforms']} platforms but listed "
                f"{len(matched)} matches and {len(rejected)} rejections (queries/plan-summary.rq, plan-matches.rq, plan-rejections.rq)"
            )
        evaluations = self._combine_classes(requirements, clauses) if clauses else self._evaluate(requirements, [*matched, *rejected])[0]
        fitting = [evaluations[iri] for iri in matched if iri in evaluations]
        failing = [evaluations[iri] for iri in rejected if iri in evaluations]
        if any(not e.matches for e in fitting) or any(e.matches for e in failing) or len(fitting) + len(failing) != len(evaluations):
            clause_queries = "plan-class-pools.rq, plan-class-type.rq" if clauses else "plan-pools.rq, plan-type.rq"
            raise StoreValueError(
                f"{engine_name(self.store)} answered queries/plan-matches.rq or plan-rejections.rq otherwise than the clause "
                f"queries ({clause_queries}, plan-local-data.rq) for the same platforms"
            )
        return fitting, failing, summary

    def _everything(self, requirements: Requirements, search: Search) -> tuple[list[Evaluation], list[Evaluation], dict[str, Any]]:
        """Every platform read whole and combined here: the plan of an executable with
        several compute requirements (each a query of its own; every one must be met)."""
        evaluations, _ = self._evaluate(requirements)
        fitting = sorted((e for e in evaluations.values() if e.matches), key=rank_key)
        failing = sorted((e for e in evaluations.values() if not e.matches), key=nearness)
        singles = {e.platform.iri: search.single_fixes(e.side()) for e in failing if e.platform.type_ok}
        return fitting, failing, self._summary(evaluations, requirements, singles)

    def _local_titles(self, requirements: Requirements, shown: Sequence[Evaluation]) -> list[dict[str, str | None]]:
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
            evaluations, _ = self._evaluate(requirements, shown=False)
            return sum(1 for e in evaluations.values() if e.matches)
        values = engine_values(requirements, None)
        row = one(self._index().select(fill(load_query("plan-fitting"), values.tables, {"plan": {**values.plan, **values.need}})))
        return int(row.get("matches") or 0)

    def _match(
        self,
        evaluation: Evaluation,
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

    def _rejections(self, shown: Sequence[Evaluation], requirements: Requirements, search: Search) -> list[dict[str, Any]]:
        """The rejections shown, each with its reasons and, when it runs the type, what
        would fit; platforms alike (:meth:`Evaluation.alike`) are worked out once, their
        reasons then naming each its own pools and the types it runs."""
        done: dict[tuple[Any, ...], dict[str, Any]] = {}
        rejected = []
        for evaluation in shown:
            key = evaluation.alike()
            first = done.get(key) if key is not None else None
            if first is not None:
                rejection = {**first, "platform": _uuid(evaluation.platform.iri), "title": evaluation.platform.title}
                rejection["reasons"] = [_retold(reason, evaluation) for reason in first["reasons"]]
                if "would-fit" in first and first["would-fit"] is not None:
                    rejection["would-fit"] = dict(first["would-fit"])
                rejected.append(rejection)
                continue
            rejection = self._rejection(evaluation, requirements)
            if evaluation.platform.type_ok:
                fix = search.would_fit(evaluation.side())
                rejection["would-fit"] = {name: _number(value) for name, value in fix.items()} if fix is not None else None
            if key is not None:
                done[key] = rejection
            rejected.append(rejection)
        return rejected

    def _rejection(self, evaluation: Evaluation, requirements: Requirements) -> dict[str, Any]:
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
    def _summary(evaluations: Mapping[str, Evaluation], requirements: Requirements, singles: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        passing = {"type": 0, "nodes": 0, "cores": 0, "memory": 0, "walltime": 0, "storage": 0}
        for evaluation in evaluations.values():
            passing["type"] += evaluation.platform.type_ok
            passing["storage"] += evaluation.storage_ok
            for flag, name in FLAG_NAMES.items():
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


def _retold(reason: Mapping[str, Any], evaluation: Evaluation) -> dict[str, Any]:
    """A reason worked out for a platform alike (:meth:`Evaluation.alike`), told of
    ``evaluation``'s platform: the types it runs, or its own pool."""
    if reason["constraint"] == "type":
        return {**reason, "offered": evaluation.platform.types}
    if "pool" in reason:
        close = evaluation.closest[reason.get("requirement", 0)]
        return {**reason, "pool": str(close["pool"]) if close is not None else None}
    return dict(reason)


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
