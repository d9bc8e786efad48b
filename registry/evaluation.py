"""Platforms against one set of requirements, from the clause queries' answers: each
platform's facts (``plan-platforms.rq``, ``plan-type.rq``, ``plan-storage.rq``), its node
pools with the compute clause's flags (``plan-pools.rq``), the data it holds
(``plan-local-data.rq``), combined into one :class:`Evaluation` per platform, with the
orders the planner lists them in.

The planner (:mod:`registry.planner`) runs the queries; this module reads their rows.
The engine's own ranking (``plan-matches.rq``, ``plan-rejections.rq``) is held to these
evaluations, and ``Planner(reference=True)`` plans with them alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from registry.errors import StoreValueError
from registry.requirements import Requirements
from registry.requirements import decimal as _decimal
from registry.whatif import Pool, Side

__all__ = [
    "AS_POOL",
    "FLAGS",
    "FLAG_NAMES",
    "FROM_CLASS",
    "Evaluation",
    "PlatformFacts",
    "closest",
    "combine",
    "failures",
    "nearness",
    "offered_types",
    "order_pools",
    "platforms_from",
    "pool_rows",
    "rank_key",
    "read_flags",
]

#: The compute flags of ``plan-pools.rq``, and the constraint each stands for.
FLAG_NAMES = {"nodesOk": "nodes", "coresOk": "cores", "memoryOk": "memory", "walltimeOk": "walltime"}
FLAGS = tuple(FLAG_NAMES)

_ZERO = Decimal(0)

#: The key of a pool row that holds the row of its planning class's pool it was made
#: from (rows of :class:`registry.directory.Directory`; see :meth:`Evaluation.alike`).
FROM_CLASS = "fromClass"

#: The key of a pool row that may hold the pool as the "would fit" search reads it
#: (rows of :class:`registry.directory.Directory` do, made once per store revision).
AS_POOL = "asPool"

#: How a flag of ``plan-pools.rq`` reads: 1 or 0, or true or false as some engines write
#: them (``True == 1`` and ``Decimal(1) == 1`` hash alike, so one lookup reads them all).
_FLAG_VALUES: dict[object, bool] = {1: True, 0: False}


@dataclass(slots=True)
class PlatformFacts:
    """What the planner shows of a platform, and its type and storage clauses."""

    iri: str
    title: str
    url: str | None
    launch: str | None
    type_ok: bool
    types: list[str] | None  # the types it runs, once read (for a rejection on its type)
    storage: Decimal


@dataclass(slots=True)
class Evaluation:
    """One platform against one set of requirements (the verdicts are worked out once)."""

    platform: PlatformFacts
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
        pools = self.pools
        if len(pools) == 1:  # one compute need, as most executables have: no sums
            (fit,) = pools
            self.compute_ok = fit is not None
            self.cores = fit["allocCores"] if fit is not None else _ZERO
            self.memory = fit["allocMemory"] if fit is not None else _ZERO
        else:
            fitting = [pool for pool in pools if pool is not None]
            self.compute_ok = len(fitting) == len(pools)
            self.cores = sum((p["allocCores"] for p in fitting), _ZERO)
            self.memory = sum((p["allocMemory"] for p in fitting), _ZERO)
        self.storage_ok = self.platform.storage >= self.storage_need
        self.matches = self.platform.type_ok and self.compute_ok and self.storage_ok

    def alike(self) -> tuple[Any, ...] | None:
        """A key equal for evaluations whose rows are the same pool rows of their planning
        class in the same order (:class:`registry.directory.Directory` gives them, each
        row holding its class's under :data:`FROM_CLASS`), with the same type verdict,
        storage and data held: their verdicts, reasons and "what would fit" are then
        the same but for the IRIs of the platform and its pools, and the types it runs.
        None for rows read otherwise (``plan-pools.rq``)."""
        shared: list[int | None] = []
        for rows in self.rows:
            for row in rows:
                judged = row.get(FROM_CLASS)
                if judged is None:
                    return None
                shared.append(id(judged))
            shared.append(None)
        return (self.platform.type_ok, self.platform.storage, self.storage_need, tuple(self.local), tuple(shared))

    def side(self) -> Side:
        """The platform's side of the rule, for the "would fit" search."""
        rows = self.rows[0] if self.rows else []
        pools = tuple(
            r.get(AS_POOL)
            or Pool(
                str(r["pool"]),
                int(r["poolNodes"]),
                _decimal(r["coresPerNode"]) or Decimal(0),
                _decimal(r["memoryPerNode"]) or Decimal(0),
                _decimal(r["walltime"]),
            )
            for r in rows
        )
        return Side(pools, self.platform.storage, tuple(self.local))


def platforms_from(typed: Sequence[Mapping[str, Any]], stored: Sequence[Mapping[str, Any]], described: Sequence[Mapping[str, Any]]) -> dict[str, PlatformFacts]:
    """The platforms of ``plan-platforms.rq``'s rows (``described``), with the type
    clause's (``typed``: ``plan-type.rq``) and the storage's (``stored``:
    ``plan-storage.rq``) answers; the types they run are read later (:func:`offered_types`),
    for those shown rejected on their type."""
    passing = {row["platform"] for row in typed}
    storage: dict[str, Decimal] = defaultdict(Decimal)
    for row in stored:
        storage[row["platform"]] += _decimal(row["size"]) or Decimal(0)
    platforms: dict[str, PlatformFacts] = {}
    for row in described:
        name = row["platform"]
        title = row["title"]
        url = row["url"]
        launch = row["launch"]
        platforms[name] = PlatformFacts(
            iri=name,
            title=str(title) if title is not None else name,
            url=str(url) if url is not None else None,
            launch=str(launch) if launch is not None else None,
            type_ok=name in passing,
            types=None,
            storage=storage.get(name, Decimal(0)),
        )
    return platforms


def offered_types(platforms: Sequence[PlatformFacts], rows: Sequence[Mapping[str, Any]]) -> None:
    """Fill in the types the platforms run from ``plan-offered-types.rq``'s rows (for
    those platforms or more), sorted; none for a platform without rows."""
    types: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        types[row["platform"]].append(str(row["runs"]))
    for platform in platforms:
        platform.types = sorted(types.get(platform.iri, []))


def read_flags(row: dict[str, Any], engine: str, query: str = "plan-pools.rq") -> bool:
    """Read a pool row's flags (of ``plan-pools.rq`` or ``plan-class-pools.rq``) as
    booleans whichever way the engine wrote them, and whether the pool fits (``fits``),
    with its allocated cores and memory when it does; returns ``fits``.

    :raises StoreValueError: naming the engine, for a flag that is neither 1 nor 0: a
        value the planner cannot read must not look like a "no".
    """
    fits = True
    for flag in FLAGS:
        value = _FLAG_VALUES.get(row[flag])
        if value is None:
            raise StoreValueError(f"{engine} answered queries/{query} with {flag} = {row[flag]!r}, which is neither 1 nor 0")
        row[flag] = value
        fits = fits and value
    row["fits"] = fits
    if fits:
        nodes = _decimal(row["allocNodes"]) or _ZERO
        row["allocCores"] = nodes * (_decimal(row["coresPerNode"]) or _ZERO)
        row["allocMemory"] = nodes * (_decimal(row["memoryPerNode"]) or _ZERO)
    return fits


def _pool_order(row: Mapping[str, Any]) -> tuple[Any, ...]:
    return (False, row["allocCores"], row["allocMemory"], row["pool"]) if row["fits"] else (True, _ZERO, _ZERO, row["pool"])


def order_pools(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A platform's pool rows (flags read: :func:`read_flags`) in the planner's order,
    in place: fitting ones first, then by least allocated cores and memory, then IRI."""
    if len(rows) > 1:
        rows.sort(key=_pool_order)
    return rows


def pool_rows(rows: list[dict[str, Any]], engine: str) -> dict[str, list[dict[str, Any]]]:
    """Each platform's pools of ``plan-pools.rq``'s rows in the planner's order
    (:func:`order_pools`), the flags read as booleans (:func:`read_flags`).

    :raises StoreValueError: naming the engine, for a flag that is neither 1 nor 0.
    """
    pools: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        read_flags(row, engine)
        pools[row["platform"]].append(row)
    for platform_pools in pools.values():
        order_pools(platform_pools)
    return pools


def combine(
    requirements: Requirements,
    platforms: Mapping[str, PlatformFacts],
    pools_per_need: Sequence[Mapping[str, list[dict[str, Any]]]],
    local_per_data: Sequence[Mapping[str, Any]],
) -> dict[str, Evaluation]:
    """Each platform against the requirements: per compute need its pools
    (:func:`pool_rows`), per data need whether it holds the data (the platforms of
    ``plan-local-data.rq``)."""
    sizes = [d.staged for d in requirements.data]
    evaluations: dict[str, Evaluation] = {}
    nothing: list[dict[str, Any]] = []
    storage = requirements.storage
    for iri, platform in platforms.items():
        per_need: list[list[dict[str, Any]]] = []
        fitting: list[dict[str, Any] | None] = []
        nearest: list[dict[str, Any] | None] = []
        passing = dict.fromkeys(FLAGS, True)
        for pools in pools_per_need:
            rows = pools.get(iri, nothing)
            per_need.append(rows)
            first = rows[0] if rows else None
            if first is not None and first["fits"]:  # every flag passes: the pool's
                fitting.append(first)
                nearest.append(first)
                continue
            fitting.append(None)
            nearest.append(first if len(rows) == 1 else closest(rows))
            for flag in FLAGS:
                if passing[flag] and not any(row[flag] for row in rows):
                    passing[flag] = False
        if sizes:
            local = [iri in here for here in local_per_data]
            staged = sum((size for size, here in zip(sizes, local, strict=True) if not here), Decimal(0))
            evaluations[iri] = Evaluation(platform, per_need, fitting, nearest, local, storage + staged, passing)
        else:
            evaluations[iri] = Evaluation(platform, per_need, fitting, nearest, [], storage, passing)
    return evaluations


def rank_key(evaluation: Evaluation) -> tuple[Any, ...]:
    """Most local data first, then least allocated cores, least allocated memory, title."""
    iri = str(evaluation.platform.iri)
    return (-sum(evaluation.local), evaluation.cores, evaluation.memory, evaluation.platform.title, iri.removeprefix("urn:uuid:"))


def failures(evaluation: Evaluation) -> int:
    """How many reasons a rejection lists (as the planner writes them)."""
    count = 0 if evaluation.platform.type_ok else 1
    for fit, close in zip(evaluation.pools, evaluation.closest, strict=True):
        if fit is not None:
            continue
        if close is None:
            count += 1
        else:
            count += sum(not close[flag] for flag in FLAGS)
    return count + (not evaluation.storage_ok)


def nearness(evaluation: Evaluation) -> tuple[Any, ...]:
    """Fewest failed constraints first, then the most offered: per compute need the most
    cores and the most memory a pool gives within the node range, then storage; then title."""
    offers: list[Decimal] = []
    for rows in evaluation.rows:
        at = [_decimal(r["atNodes"]) or Decimal(0) for r in rows]
        offers.append(-max((n * (_decimal(r["coresPerNode"]) or 0) for n, r in zip(at, rows, strict=True)), default=Decimal(0)))
        offers.append(-max((n * (_decimal(r["memoryPerNode"]) or 0) for n, r in zip(at, rows, strict=True)), default=Decimal(0)))
    return (failures(evaluation), *offers, -evaluation.platform.storage, evaluation.platform.title, str(evaluation.platform.iri))


def closest(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The pool that fails the fewest constraints, then offers the most within the range."""
    if not rows:
        return None

    def key(row: dict[str, Any]) -> tuple[int, Decimal, Decimal]:
        passed = sum(row[f] for f in FLAGS)
        at = _decimal(row["atNodes"]) or Decimal(0)
        return (-passed, -(at * (_decimal(row["coresPerNode"]) or Decimal(0))), -(at * (_decimal(row["memoryPerNode"]) or Decimal(0))))

    return min(rows, key=key)
