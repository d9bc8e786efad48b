"""The engine's side of planning: the values the planner's queries are given (the
compute need, the plan's storage and data, the tables of data needs and platforms), the
clause query for data held locally, and the summary read from ``plan-summary.rq``.

The matching rule itself is in ``queries/``: ``plan-matches.rq`` states it, and
``plan-summary.rq``, ``plan-rejections.rq`` and ``plan-fitting.rq`` count and order by
it, per planning class; ``plan-listed.rq`` lists the chosen classes' platforms. This
module binds their values, reads their answers and chooses the classes a limit needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rdflib import XSD, Literal, URIRef
from rdflib.term import Identifier

from registry.errors import QueryError, StoreValueError
from registry.requirements import OVERRIDE_NAMES, ComputeNeed, DataNeed, Requirements
from registry.resources import load_query
from registry.store import Store
from registry.store.terms import Rows, fill
from registry.units import canonical
from registry.vocabulary import ESAP
from registry.whatif import Search

__all__ = [
    "ADMITS",
    "PASSING",
    "EngineValues",
    "Table",
    "choose_classes",
    "compute_bindings",
    "count",
    "counted",
    "engine_name",
    "engine_values",
    "limited",
    "listed",
    "local_data",
    "match_rank",
    "one",
    "platform_table",
    "rejection_rank",
    "summary_dict",
    "summary_from",
    "total_platforms",
    "whole",
]

#: Tables of values for a query's ``#@table`` lines (see :func:`registry.store.terms.fill`).
Table = Mapping[str, tuple[Sequence[str], Rows]] | None


def platform_table(iris: Iterable[str]) -> dict[str, tuple[Sequence[str], Rows]]:
    """The table of platforms a clause query is asked about."""
    return {"platforms": (["platform"], [[URIRef(iri)] for iri in iris])}


def compute_bindings(need: ComputeNeed) -> dict[str, Identifier]:
    """A compute need as the values of ``plan-pools.rq`` (and of the engine's queries)."""
    return {
        "cores": Literal(canonical(need.cores), datatype=XSD.decimal),
        "memory": Literal(canonical(need.memory), datatype=XSD.decimal),
        "nodes": Literal(need.nodes, datatype=XSD.integer),
        "maxNodes": Literal(need.max_nodes, datatype=XSD.integer),
        "hours": Literal(canonical(need.hours) if need.hours is not None else Decimal(0), datatype=XSD.decimal),
    }

def local_data(view: Store, need: DataNeed, table: Table = None) -> dict[str, str | None]:
    """The platforms holding the data locally (only those of ``table``, when given),
    each with the title of the collection that holds it."""
    bindings: dict[str, Identifier] = {
        "content": need.content if need.content is not None else ESAP.DataContent,
        "format": need.format if need.format is not None else ESAP.DataFormat,
    }
    rows = view.select(fill(load_query("plan-local-data"), table), bindings)
    local: dict[str, str | None] = {}
    for row in rows:
        local.setdefault(row["platform"], str(row["collectionTitle"]) if row["collectionTitle"] is not None else None)
    return local


@dataclass(frozen=True, slots=True)
class EngineValues:
    """What ``plan-matches.rq``, ``plan-rejections.rq``, ``plan-summary.rq`` and
    ``plan-fitting.rq`` are given: the plan's values, the compute need's, the data table."""

    plan: dict[str, Identifier]
    need: dict[str, Identifier]
    tables: dict[str, tuple[Sequence[str], Rows]]


def decimal_literal(value: Decimal) -> Literal:
    return Literal(canonical(value), datatype=XSD.decimal)


def engine_values(requirements: Requirements, search: Search | None, other: Requirements | None = None) -> EngineValues:
    """The values of the engine's queries for requirements with one compute need;
    ``search`` gives the max-nodes override the plan was made with (``?cap``, 0 for
    none); ``other``, the requirements at the other end of the ranges (for the summary)."""
    need = requirements.compute[0]
    plan: dict[str, Identifier] = {
        "type": requirements.type,
        "storage": decimal_literal(requirements.storage),
        "staged": decimal_literal(sum((d.staged for d in requirements.data), Decimal(0))),
        "dataNeeds": Literal(len(requirements.data), datatype=XSD.integer),
    }
    compute = {**compute_bindings(need), "cap": Literal(int(search.given.get("max-nodes", 0)) if search else 0, datatype=XSD.integer)}
    variables = ["need", "content", "format", "size"]
    rows: list[list[Identifier | None]] = [
        [
            Literal(index, datatype=XSD.integer),
            d.content if d.content is not None else ESAP.DataContent,
            d.format if d.format is not None else ESAP.DataFormat,
            decimal_literal(d.staged),
        ]
        for index, d in enumerate(requirements.data)
    ]
    if other is not None:
        other_need = other.compute[0]
        plan.update(
            otherStorage=decimal_literal(other.storage),
            otherStaged=decimal_literal(sum((d.staged for d in other.data), Decimal(0))),
            **{f"other{name[0].upper()}{name[1:]}": value for name, value in compute_bindings(other_need).items()},
        )
        variables.append("otherSize")
        for row, d in zip(rows, other.data, strict=True):
            row.append(decimal_literal(d.staged))
    return EngineValues(plan, compute, {"data": (variables, rows)})


def limited(text: str, limit: int | None) -> str:
    """A SELECT of ``queries/`` cut to its first ``limit`` rows (a solution modifier, an
    integer checked as one; ``None``: every row)."""
    return text if limit is None else f"{text}\nLIMIT {int(limit)}"


def listed(view: Store, text: str, key: Callable[[Mapping[str, Any]], tuple[Any, ...]], limit: int | None) -> list[str]:
    """The first ``limit`` platforms (``None``: all) of a ranking by planning class.

    ``text`` (``plan-matches.rq`` or ``plan-rejections.rq``, values filled in) lists the
    classes best first, each with its number of platforms (``?members``), a class once
    or more (its best row first); ``key`` reads a row's rank, lowest first. The engine
    ranks every class either way, but a ``LIMIT`` spares it sending, and the planner
    reading, the rows it does not need (the rejections at 1,000 platforms number
    hundreds; a plan shows 20): the first :func:`first_rows` rows are asked for,
    and every row only when those do not settle the choice (a tie running past them).
    The classes that hold the first ``limit`` platforms, and every class tied with the
    last of them (:func:`choose_classes`), are listed by ``plan-listed.rq``, tied
    classes' platforms by title, cut to ``limit``.

    :raises StoreValueError: when a class's number of platforms is no count, or the
        engine's rows are not in rank order or their rank is unreadable.
    """
    chosen = None
    if limit is not None:
        asked = first_rows(limit)
        rows = view.select(limited(text, asked))
        chosen, settled = _choose(rows, key, limit)
        if not settled and len(rows) >= asked:
            chosen = None  # a tie may run on past the rows read
    if chosen is None:
        chosen = choose_classes(view.select(text), key, limit)
    if not chosen:
        return []
    table = [[URIRef(name), Literal(order, datatype=XSD.integer)] for name, order in chosen]
    found = view.select(limited(fill(load_query("plan-listed"), {"classes": (["class", "order"], table)}), limit))
    return [str(row["platform"]) for row in found]


def match_rank(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """A row of ``plan-matches.rq`` by its rank, lowest first, as its ``ORDER BY``: most
    data held locally, least allocated cores, least allocated memory."""
    return (-row["localCount"], row["allocCores"], row["allocMemory"])


def rejection_rank(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """A row of ``plan-rejections.rq`` by its rank, lowest first, as its ``ORDER BY``:
    fewest failed constraints, then the most cores, memory and storage offered."""
    return (row["failures"], -row["mostCores"], -row["mostMemory"], -row["offered"])


def first_rows(limit: int) -> int:
    """How many rows of a ranking :func:`listed` asks for first, to show ``limit``
    platforms: each class holds one platform or more, so ``limit`` rows hold them unless
    classes tie or a class has several rows. Twice as many and eight more leave room for
    both: over the bench's 64 plans with the default limit (1,000 and 10,000 platforms),
    none needed more than 26 rows."""
    return 2 * limit + 8


def choose_classes(rows: Sequence[Mapping[str, Any]], key: Callable[[Mapping[str, Any]], tuple[Any, ...]], limit: int | None) -> list[tuple[str, int]]:
    """The classes of ``rows`` (a ranking by class, best first) that hold the first
    ``limit`` platforms (``None``: all), each with its place: classes tied on ``key``
    share one, and every class tied with the last one needed is taken.

    :raises StoreValueError: when the rows are not in rank order, a rank is unreadable, or
        a number of platforms is no count.
    """
    return _choose(rows, key, limit)[0]


def _choose(
    rows: Sequence[Mapping[str, Any]], key: Callable[[Mapping[str, Any]], tuple[Any, ...]], limit: int | None
) -> tuple[list[tuple[str, int]], bool]:
    """:func:`choose_classes`, and whether a row of ``rows`` ranked behind the classes
    chosen (so that rows after those could change nothing)."""
    chosen: list[tuple[str, int]] = []
    seen: set[str] = set()
    held = 0
    last: tuple[Any, ...] | None = None
    place = -1
    for row in rows:
        name = str(row["class"])
        if name in seen:
            continue
        try:
            rank = key(row)
            behind = last is not None and rank < last
        except TypeError as exc:  # an unbound or unreadable value
            raise StoreValueError(f"the engine ranked planning class {name} with {dict(row)!r}, which is no rank") from exc
        if behind:
            raise StoreValueError(f"the engine listed planning class {name} out of rank order ({rank!r} after {last!r})")
        if rank != last:
            if limit is not None and held >= limit:
                return chosen, True
            last, place = rank, place + 1
        seen.add(name)
        chosen.append((name, place))
        held += count(row, "members")
    return chosen, False


def counted(text: str) -> str:
    """A SELECT of ``queries/`` counted: its solutions as a subquery of
    ``SELECT (COUNT(*) AS ?count)`` (its prologue kept in front; its ``ORDER BY`` does not
    change the count)."""
    found = re.search(r"^SELECT", text, re.MULTILINE)
    if found is None:
        raise QueryError("a query to count must be a SELECT whose line starts with SELECT")
    at = found.start()
    return f"{text[:at]}SELECT (COUNT(*) AS ?count) WHERE {{\n{{\n{text[at:]}\n}}\n}}"


def one(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The one row of an aggregate query (an empty store's engine may answer none)."""
    return rows[0] if rows else {}


def engine_name(store: Store) -> str:
    return getattr(store, "engine", None) or type(store).__name__


#: The counts of ``plan-summary.rq`` and the constraint or override each is of.
PASSING = {"type": "typeOk", "nodes": "nodesOk", "cores": "coresOk", "memory": "memoryOk", "walltime": "walltimeOk", "storage": "storageOk"}
ADMITS = {
    "max-nodes": "withoutMaxNodes",
    "nodes": "withAnyNodes",
    "hours": "withoutHours",
    "data-size": "admitDataSize",
    "storage": "withoutStorage",
    "cores": "withoutCores",
    "memory": "withoutMemory",
}


def count(row: Mapping[str, Any], name: str) -> int:
    """A count of an aggregate row (an engine may leave the sum over nothing unbound).

    :raises StoreValueError: when it is not a whole number.
    """
    value = row.get(name)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or value != int(value):
        raise StoreValueError(f"the engine answered with {name} = {value!r}, which is no count")
    return int(value)


def summary_from(row: Mapping[str, Any], requirements: Requirements) -> dict[str, Any]:
    """The summary of ``plan-summary.rq``'s row: a would-admit count is the platforms that
    would match with that need at its mildest, less those that match already."""
    passing = {name: count(row, column) for name, column in PASSING.items()}
    matches = count(row, "matches")
    admit = {name: count(row, column) - (matches if column.startswith("with") else 0) for name, column in ADMITS.items()}
    return summary_dict(count(row, "platforms"), matches, passing, {name: admit[name] for name in OVERRIDE_NAMES}, requirements)


def summary_dict(platforms: int, matches: int, passing: dict[str, int], admit: dict[str, int], requirements: Requirements) -> dict[str, Any]:
    summary: dict[str, Any] = {"platforms": platforms, "matches": matches, "passing": passing, "would-admit": admit}
    if not platforms:
        summary["message"] = "No platforms are registered. Add some with: esap-registry ingest examples/platforms.json"
    elif not passing["type"]:
        summary["message"] = (
            f"No registered platform runs {requirements.type} or a broader type. "
            "Register one that does with: esap-registry ingest PLATFORMS.json"
        )
    return summary


def total_platforms(view: Store) -> int:
    """How many platforms the planning index holds (``plan-total.rq``)."""
    return count(one(view.select(load_query("plan-total"))), "platforms")


def whole(total: int, summary: Mapping[str, Any], store: Store) -> None:
    """Hold the engine's summary to the number of platforms the index holds (``total``,
    from :func:`total_platforms`).

    :raises StoreValueError: when they differ (the engine lost some of them).
    """
    if summary["platforms"] != total:
        raise StoreValueError(
            f"{engine_name(store)} counted {summary['platforms']} platforms with queries/plan-summary.rq, "
            f"but the planning index holds {total} (queries/plan-total.rq)"
        )
