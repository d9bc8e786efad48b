"""What would fit: for a platform the planner rejected, the overrides that change the
executable's needs as little as possible so that it matches; and which single overrides
would admit it (the summary counts them, as ``condor_q -better-analyze`` counts what each
change would gain).

The matching rule is SPARQL (``queries/plan-pools.rq``, ``plan-type.rq``,
``plan-local-data.rq``). The search here tries candidate overrides against the platform's
pools and storage as those queries read them, checking each with :func:`pool_fits`, the
same compute clause written over Python numbers, and the storage clause; the planner's
property tests hold every suggestion to the SPARQL answer (planning with exactly those
overrides lists the platform among the matches).

Candidates, per override name: ``max-nodes`` raised to the fewest nodes a pool needs;
``nodes`` moved to a pool's node count or to the fewest nodes it needs; ``hours`` lowered
to a pool's limit; ``cores`` and ``memory`` lowered to what a pool gives within the node
range; ``storage`` lowered to what is left after staging; ``data-size`` lowered so that the
staged data fits. A suggestion is the verified candidate with the fewest overrides, then
the one earliest in :data:`registry.requirements.OVERRIDE_NAMES` (raising the node limit
first: it shrinks nothing), then the nearest value. Lowered values are rounded down to
three decimals, so that the number survives JSON and still fits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from registry.errors import ParameterError
from registry.requirements import OVERRIDE_NAMES, ComputeNeed, Requirements

__all__ = ["Pool", "Search", "Side", "pool_fits"]

_STEP = Decimal("0.001")
_RANK = {name: index for index, name in enumerate(OVERRIDE_NAMES)}

Fix = dict[str, Decimal | int]


@dataclass(frozen=True, slots=True)
class Pool:
    """A node pool as the planner's queries read it: nodes, cores and memory (GiB) per
    node, and the longest wall-clock time in hours (None: no limit)."""

    iri: str
    nodes: int
    cores: Decimal
    memory: Decimal
    walltime: Decimal | None


@dataclass(frozen=True, slots=True)
class Side:
    """The platform's side of the rule: its pools, the storage it offers (GiB) and, per
    data need of the executable, whether it holds that data locally."""

    pools: tuple[Pool, ...]
    storage: Decimal
    local: tuple[bool, ...]


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def _floor(value: Decimal) -> Decimal:
    return max(value, Decimal(0)).quantize(_STEP, rounding=ROUND_FLOOR).normalize()


def at_nodes(need: ComputeNeed, pool: Pool) -> int:
    """The most nodes of the pool the need's range allows: ``min(max_nodes, K.nodes)``."""
    return min(need.max_nodes, pool.nodes)


def resource_nodes(need: ComputeNeed, pool: Pool) -> int:
    """The fewest nodes of the pool that hold the need's cores and memory."""
    cores = _ceil(need.cores / pool.cores) if need.cores > 0 else 0
    memory = _ceil(need.memory / pool.memory) if need.memory > 0 else 0
    return max(cores, memory)


def pool_fits(need: ComputeNeed, pool: Pool) -> bool:
    """The compute clause of ``plan-pools.rq`` for one need and one pool."""
    at = at_nodes(need, pool)
    return (
        need.nodes <= pool.nodes
        and need.cores <= at * pool.cores
        and need.memory <= at * pool.memory
        and (pool.walltime is None or need.hours is None or pool.walltime >= need.hours)
    )


def _compute_matches(requirements: Requirements, side: Side) -> bool:
    return all(any(pool_fits(need, pool) for pool in side.pools) for need in requirements.compute)


def _storage_matches(requirements: Requirements, side: Side) -> bool:
    staged = sum((d.staged for d, here in zip(requirements.data, side.local, strict=True) if not here), Decimal(0))
    return side.storage >= requirements.storage + staged


def _matches(requirements: Requirements, side: Side) -> bool:
    return _compute_matches(requirements, side) and _storage_matches(requirements, side)


#: The overrides that act on the compute clause, and on the storage clause.
_COMPUTE_NAMES = frozenset({"max-nodes", "nodes", "hours", "cores", "memory"})
_STORAGE_NAMES = frozenset({"storage", "data-size"})


class Search:
    """The search for one plan: the executable's needs before overrides, the overrides
    the plan was made with, and each set of overrides tried, applied once and kept (the
    same values recur across platforms whose pools are alike).

    :param base: the executable's needs before any override.
    :param given: the overrides the plan was made with (parsed).
    """

    def __init__(self, base: Requirements, given: Mapping[str, Decimal | int]) -> None:
        self.base = base
        self.given = dict(given)
        self.requirements = base.with_overrides(self.given)
        self._applied: dict[tuple[tuple[str, Decimal | int], ...], Requirements | None] = {}
        # per side, as the search reads it (pool IRIs aside): platforms alike get one search
        self._singles: dict[tuple[object, ...], Fix] = {}
        self._fits: dict[tuple[object, ...], Fix | None] = {}

    def _apply(self, fix: Fix) -> Requirements | None:
        key = tuple(sorted(fix.items()))
        if key not in self._applied:
            try:
                self._applied[key] = self.base.with_overrides({**self.given, **fix})
            except ParameterError:  # an empty node range: not a suggestion anyone can use
                self._applied[key] = None
        return self._applied[key]

    def admits(self, fix: Fix, side: Side) -> bool:
        """Whether planning with the plan's overrides and ``fix`` on top matches the platform."""
        applied = self._apply(fix)
        return applied is not None and _matches(applied, side)

    def single_fixes(self, side: Side) -> Fix:
        """Each override that alone would admit the platform, with its nearest value."""
        key = _read(side)
        if key not in self._singles:
            self._singles[key] = self._single_fixes(side)
        return dict(self._singles[key])

    def _single_fixes(self, side: Side) -> Fix:
        found: Fix = {}
        compute_ok = _compute_matches(self.requirements, side)
        storage_ok = _storage_matches(self.requirements, side)
        if not compute_ok and not storage_ok:
            return found  # no one override mends both clauses
        names = _STORAGE_NAMES if compute_ok else _COMPUTE_NAMES
        for name, values in _candidates(self.requirements, side).items():
            if name not in names:
                continue
            for value in values:
                if self.admits({name: value}, side):
                    found[name] = value
                    break
        return found

    def would_fit(self, side: Side, singles: Fix | None = None) -> Fix | None:
        """The overrides that change the needs as little as possible so that the platform
        matches, or None when no override can (it has no node pool).

        :param singles: :meth:`single_fixes` of the same side, when already known.
        """
        key = _read(side)
        if key not in self._fits:
            self._fits[key] = self._would_fit(side, singles)
        found = self._fits[key]
        return dict(found) if found is not None else None

    def _would_fit(self, side: Side, singles: Fix | None) -> Fix | None:
        singles = self.single_fixes(side) if singles is None else singles
        if singles:
            name = min(singles, key=_RANK.__getitem__)
            return {name: singles[name]}
        best: tuple[tuple[int, tuple[int, ...]], Fix] | None = None
        for fix in _composites(self.requirements, side):
            if not self.admits(fix, side):
                continue
            key = (len(fix), tuple(sorted(_RANK[n] for n in fix)))
            if best is None or key < best[0]:
                best = (key, fix)
        return best[1] if best else None


def _read(side: Side) -> tuple[object, ...]:
    """What the search reads of a side: every figure, in order; not the pools' IRIs."""
    return (tuple((p.nodes, p.cores, p.memory, p.walltime) for p in side.pools), side.storage, side.local)


def _candidates(requirements: Requirements, side: Side) -> dict[str, list[Decimal | int]]:
    """Values worth trying per override name, nearest to the current need first."""
    needs = requirements.compute
    pools = side.pools
    current_nodes = needs[0].nodes
    values: dict[str, set[Decimal | int]] = {name: set() for name in OVERRIDE_NAMES}
    for need in needs:
        for pool in pools:
            fewest = max(resource_nodes(need, pool), 1)
            if max(need.nodes, fewest) > need.max_nodes:
                values["max-nodes"].add(max(need.nodes, fewest))
            values["nodes"].update({pool.nodes, fewest})
            if pool.walltime is not None and need.hours is not None and pool.walltime < need.hours:
                values["hours"].add(_floor(pool.walltime))
            at = at_nodes(need, pool)
            if need.cores > at * pool.cores:
                values["cores"].add(int(at * pool.cores))
            if need.memory > at * pool.memory:
                values["memory"].add(_floor(at * pool.memory))
    staged = [d for d, here in zip(requirements.data, side.local, strict=True) if not here]
    staged_size = sum((d.staged for d in staged), Decimal(0))
    if requirements.storage + staged_size > side.storage:
        if side.storage >= staged_size:
            values["storage"].add(_floor(side.storage - staged_size))
        if staged and side.storage >= requirements.storage:
            values["data-size"].add(_floor((side.storage - requirements.storage) / len(staged)))
    order = {
        "max-nodes": lambda v: v,
        "nodes": lambda v: (abs(v - current_nodes), v),
    }
    result: dict[str, list[Decimal | int]] = {}
    for name, found in values.items():
        key = order.get(name, lambda v: -v)  # lowered needs: the largest (least lowered) first
        result[name] = sorted(found, key=key)  # type: ignore[arg-type]
    return result


def _composites(requirements: Requirements, side: Side) -> Iterable[Fix]:
    """Several overrides at once, one set per pool (and node choice), with the storage fix."""
    storage = _storage_fix(requirements, side)
    for pool in side.pools:
        for spread in (False, True):
            fix = _compute_fix(requirements.compute, pool, spread)
            yield {**fix, **storage}


def _compute_fix(needs: Sequence[ComputeNeed], pool: Pool, spread: bool) -> Fix:
    """What makes every compute need fit this one pool: walltime lowered to its limit,
    the node count moved into it, the node limit raised (``spread``: as far as the pool
    goes) and cores and memory lowered to what it then gives."""
    fix: Fix = {}
    if pool.walltime is not None and any(n.hours is not None and n.hours > pool.walltime for n in needs):
        fix["hours"] = _floor(pool.walltime)
    if any(n.nodes > pool.nodes for n in needs):
        fix["nodes"] = pool.nodes
        if any(n.max_nodes != n.nodes for n in needs):
            fix["max-nodes"] = pool.nodes
    elif spread and any(at_nodes(n, pool) < min(max(n.nodes, resource_nodes(n, pool)), pool.nodes) for n in needs):
        fix["max-nodes"] = max(min(max(n.nodes, resource_nodes(n, pool)), pool.nodes) for n in needs)
    for need in needs:
        nodes = int(fix.get("nodes", need.nodes))
        top = int(fix.get("max-nodes", nodes if "nodes" in fix else need.max_nodes))
        at = min(top, pool.nodes)
        if need.cores > at * pool.cores:
            cores = int(at * pool.cores)
            fix["cores"] = min(int(fix.get("cores", cores)), cores)
        if need.memory > at * pool.memory:
            memory = _floor(at * pool.memory)
            fix["memory"] = min(Decimal(fix.get("memory", memory)), memory)
    return fix


def _storage_fix(requirements: Requirements, side: Side) -> Fix:
    staged = [d for d, here in zip(requirements.data, side.local, strict=True) if not here]
    staged_size = sum((d.staged for d in staged), Decimal(0))
    if requirements.storage + staged_size <= side.storage:
        return {}
    if staged and side.storage >= requirements.storage:
        return {"data-size": _floor((side.storage - requirements.storage) / len(staged))}
    if side.storage >= staged_size:
        return {"storage": _floor(side.storage - staged_size)}
    fix: Fix = {"storage": Decimal(0)}
    if staged:
        fix["data-size"] = _floor(side.storage / len(staged))
    return fix
