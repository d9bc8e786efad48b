"""What the planner shows of every platform, read once per store revision, for the
plans that show every platform (``--limit all``).

Such a plan reads every platform whole. What it shows of a platform apart from the
verdict (its title, home page, launch template, storage, the types it runs, its node
pools and its planning class) does not depend on the executable, so it is read once
(:func:`read_directory`: ``plan-platforms.rq``, ``plan-storage.rq``,
``plan-offered-types.rq``, ``plan-platform-pools.rq``, ``plan-class-members.rq``) and
kept until the store's next write (:meth:`registry.store.Store.kept`; a server others
write to is read afresh on every plan). The rule's clauses are then judged by the
engine once per planning class (``plan-class-type.rq``, ``plan-class-pools.rq``), and
:meth:`Directory.platforms` gives each platform its class's verdicts, pool by pool
(matched by their figures), as the clause queries would give them platform by platform.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from registry.errors import StoreValueError
from registry.evaluation import (
    AS_POOL,
    FROM_CLASS,
    PlatformFacts,
    offered_types,
    order_pools,
    platforms_from,
    read_flags,
)
from registry.requirements import decimal as _decimal
from registry.resources import load_query
from registry.runtime import gather
from registry.store import Store
from registry.store.terms import fill
from registry.whatif import Pool

__all__ = ["Directory", "Listed", "read_directory"]

#: A pool's figures as the rule reads them: nodes, cores and memory per node, walltime.
Figures = tuple[Decimal, Decimal, Decimal, Decimal | None]


@dataclass(frozen=True, slots=True)
class Listed:
    """One platform as every plan shows it."""

    iri: str
    title: str
    url: str | None
    launch: str | None
    storage: Decimal
    types: tuple[str, ...]  # the types it runs, sorted
    planning_class: str | None
    pools: tuple[tuple[Pool, Figures, Any], ...]  # each pool: as the what-if reads it, its figures, GPUs per node


def _figures(row: Mapping[str, Any]) -> Figures:
    zero = Decimal(0)
    return (
        _decimal(row["poolNodes"]) or zero,
        _decimal(row["coresPerNode"]) or zero,
        _decimal(row["memoryPerNode"]) or zero,
        _decimal(row["walltime"]),
    )


@dataclass(frozen=True)
class Directory:
    """Every platform of the planning index (see the module's docstring)."""

    listed: Mapping[str, Listed]
    by_title: tuple[Listed, ...] = field(init=False)  # by title, then IRI

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_title", tuple(sorted(self.listed.values(), key=lambda listed: (listed.title, listed.iri))))

    def in_order(self, chosen: Sequence[tuple[str, int]]) -> list[str]:
        """The platforms of the planning classes ``chosen`` (each with its place, as
        :func:`registry.plan_engine.choose_classes` gives them), in the order
        ``plan-listed.rq`` lists them: by place, then title, then IRI."""
        place = dict(chosen)
        placed: dict[int, list[str]] = defaultdict(list)
        for listed in self.by_title:
            at = place.get(listed.planning_class)  # type: ignore[arg-type]
            if at is not None:
                placed[at].append(listed.iri)
        return [iri for at in sorted(placed) for iri in placed[at]]

    def platforms(
        self, typed: Sequence[Mapping[str, Any]], class_pools: Sequence[dict[str, Any]], engine: str
    ) -> tuple[dict[str, PlatformFacts], dict[str, list[dict[str, Any]]]]:
        """Every platform's facts and its pools as :func:`registry.evaluation.pool_rows`
        gives them, from the classes passing the type clause (``typed``: rows of
        ``plan-class-type.rq``) and the compute clause judged per class pool
        (``class_pools``: rows of ``plan-class-pools.rq``).

        :raises StoreValueError: naming the engine, when a platform has a pool whose
            figures its class lacks, or a flag is neither 1 nor 0 (the index changed
            while it was read, or an engine answered wrongly): never a plan then.
        """
        passing = {row["class"] for row in typed}
        judged: dict[str, dict[Figures, dict[str, Any]]] = defaultdict(dict)
        for row in class_pools:
            read_flags(row, engine, "plan-class-pools.rq")
            judged[row["class"]][_figures(row)] = row
        platforms: dict[str, PlatformFacts] = {}
        pools: dict[str, list[dict[str, Any]]] = {}
        for iri, listed in self.listed.items():
            type_ok = listed.planning_class in passing
            platforms[iri] = PlatformFacts(
                iri, listed.title, listed.url, listed.launch, type_ok, None if type_ok else list(listed.types), listed.storage
            )
            if not listed.pools:
                continue
            own = judged.get(listed.planning_class or "", {})
            rows = []
            for pool, figures, gpus in listed.pools:
                verdict = own.get(figures)
                if verdict is None:
                    raise StoreValueError(
                        f"{engine} answered queries/plan-class-pools.rq without the pool {pool.iri} of {iri} "
                        f"(its planning class {listed.planning_class} holds no pool of its figures)"
                    )
                rows.append({**verdict, "platform": iri, "pool": pool.iri, "gpus": gpus, AS_POOL: pool, FROM_CLASS: verdict})
            pools[iri] = order_pools(rows)
        return platforms, pools


def read_directory(view: Store) -> Directory:
    """Every platform of the planning index in ``view`` (five queries, at once where
    the store gains by it).

    :raises StoreError: when the store fails.
    """
    described, stored, offered, pooled, members = gather(
        lambda: view.select(fill(load_query("plan-platforms"), None)),
        lambda: view.select(fill(load_query("plan-storage"), None)),
        lambda: view.select(load_query("plan-offered-types")),
        lambda: view.select(load_query("plan-platform-pools")),
        lambda: view.select(load_query("plan-class-members")),
        at_once=view.parallel_reads,
    )
    facts = platforms_from((), stored, described)  # as the clause queries' rows are read
    offered_types(list(facts.values()), offered)
    pools: dict[str, list[tuple[Pool, Figures, Any]]] = defaultdict(list)
    for row in pooled:
        nodes, cores, memory, walltime = figures = _figures(row)
        pools[row["platform"]].append((Pool(str(row["pool"]), int(nodes), cores, memory, walltime), figures, row["gpus"]))
    classes = {row["platform"]: str(row["class"]) for row in members}
    listed = {
        iri: Listed(
            iri=iri,
            title=platform.title,
            url=platform.url,
            launch=platform.launch,
            storage=platform.storage,
            types=tuple(platform.types or ()),
            planning_class=classes.get(iri),
            pools=tuple(pools.get(iri, ())),
        )
        for iri, platform in facts.items()
    }
    return Directory(listed)

