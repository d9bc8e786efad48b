"""The brute-force floor of the plan benchmark: the planner's matching rule applied in
plain Python to platforms held in memory as Python objects.

The platforms' JSON (the synthetic dicts, or a manifest) is turned into
:class:`FloorPlatform` objects once (units parsed, sums taken); the taxonomy closure
is read once from the vocabulary; then :meth:`Floor.matches` loops over every
platform. It answers *which* platforms match (a set of uuids), with no ranking and no
explanations: it is the least work any planner must do, the floor under the SPARQL
planner's latency. It must give the same set as :meth:`registry.planner.Planner.plan`
(the benchmark asserts it, and ``tests/test_floor.py`` checks it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rdflib import URIRef

from registry.units import parse_count, parse_data_size, parse_duration
from registry.vocabulary import Vocabulary, get_vocabulary

__all__ = ["Floor", "FloorExecutable", "FloorPlatform"]


def _size(value: Any) -> Decimal:
    return parse_data_size(value) if value is not None else Decimal(0)


@dataclass(frozen=True, slots=True)
class FloorPlatform:
    """One platform, ready to match: runs, pools (nodes, cores, memory GiB, hours or
    None), storage (GiB) and data collections (content, format)."""

    uuid: str
    runs: frozenset[str]
    pools: tuple[tuple[int, Decimal, Decimal, Decimal | None], ...]
    storage: Decimal
    collections: tuple[tuple[str | None, str | None], ...]

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> FloorPlatform:
        """From a platform's manifest entry.

        :raises UnitError: when a quantity cannot be read.
        """
        pools = []
        for pool in entry.get("compute-resources", []):
            if pool.get("nodes") is None or pool.get("cores") is None or pool.get("memory") is None:
                continue  # the planner only sees pools with all three
            hours = pool.get("maxwalltime")
            pools.append((parse_count(pool["nodes"]), Decimal(parse_count(pool["cores"])), parse_data_size(pool["memory"]),
                          parse_duration(hours) if hours is not None else None))
        return cls(
            uuid=entry["uuid"],
            runs=frozenset(entry.get("executable-types", [])),
            pools=tuple(pools),
            storage=sum((_size(s.get("size")) for s in entry.get("storage-resources", [])), Decimal(0)),
            collections=tuple((d.get("data-content"), d.get("data-format")) for d in entry.get("data-resources", [])),
        )


@dataclass(frozen=True, slots=True)
class FloorExecutable:
    """One executable's needs at the minima: type, compute needs (nodes, max nodes, cores,
    memory GiB, hours or None), storage (GiB) and data (content, format, size GiB)."""

    type: str
    compute: tuple[tuple[int, int, Decimal, Decimal, Decimal | None], ...]
    storage: Decimal
    data: tuple[tuple[str | None, str | None, Decimal], ...]

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> FloorExecutable:
        """From an executable's manifest entry.

        :raises UnitError: when a quantity cannot be read.
        """
        compute = []
        for need in entry.get("compute-resources", []):
            hours = need.get("walltime")
            nodes = parse_count(need["nodes"]) if need.get("nodes") is not None else 1
            compute.append((
                nodes,
                parse_count(need["maxnodes"]) if need.get("maxnodes") is not None else nodes,
                Decimal(parse_count(need["mincores"])) if need.get("mincores") is not None else Decimal(0),
                _size(need.get("minmemory")),
                parse_duration(hours) if hours is not None else None,
            ))
        if not compute:
            compute.append((1, 1, Decimal(0), Decimal(0), None))
        return cls(
            type=entry["type"],
            compute=tuple(compute),
            storage=sum((_size(s.get("minsize")) for s in entry.get("storage-resources", [])), Decimal(0)),
            data=tuple((d.get("data-content"), d.get("data-format"), _size(d.get("size"))) for d in entry.get("data-resources", [])),
        )


class Floor:
    """Platforms in memory and the taxonomy closure, read once.

    :param platforms: the platforms' manifest entries.
    :param vocabulary: the vocabulary whose closure gives the broader terms.
    :raises UnitError: when a quantity cannot be read.
    """

    def __init__(self, platforms: Iterable[Mapping[str, Any]], vocabulary: Vocabulary | None = None) -> None:
        vocabulary = vocabulary or get_vocabulary()
        self.platforms = [FloorPlatform.from_json(p) for p in platforms]
        terms: set[str] = set()
        for platform in self.platforms:
            terms |= platform.runs
            for content, format_ in platform.collections:
                terms |= {t for t in (content, format_) if t}
        self._broader: dict[str, frozenset[str]] = {}
        self._vocabulary = vocabulary
        for term in terms:
            self.broader(term)

    def broader(self, term: str) -> frozenset[str]:
        """The term and every term broader than it (read once per term)."""
        found = self._broader.get(term)
        if found is None:
            found = frozenset(str(t) for t in self._vocabulary.broader_or_same(URIRef(term)))
            self._broader[term] = found
        return found

    def matches(self, entry: Mapping[str, Any] | FloorExecutable) -> set[str]:
        """The uuids of the platforms that can run the executable, at its minima.

        :raises UnitError: when a quantity of the executable cannot be read.
        """
        executable = entry if isinstance(entry, FloorExecutable) else FloorExecutable.from_json(entry)
        types = self.broader(executable.type)
        broader = self.broader
        result = set()
        for platform in self.platforms:
            if types.isdisjoint(platform.runs):
                continue
            if not all(
                any(
                    # the node range [nodes, max_nodes] within the pool: at most min(max_nodes, K.nodes) nodes
                    pool_nodes >= nodes
                    and min(max_nodes, pool_nodes) * cores_per_node >= cores
                    and min(max_nodes, pool_nodes) * memory_per_node >= memory
                    and (walltime is None or hours is None or walltime >= hours)
                    for pool_nodes, cores_per_node, memory_per_node, walltime in platform.pools
                )
                for nodes, max_nodes, cores, memory, hours in executable.compute
            ):
                continue
            staged = Decimal(0)
            for content, format_, size in executable.data:
                local = any(
                    (content is None or (held_content is not None and content in broader(held_content)))
                    and (format_ is None or (held_format is not None and format_ in broader(held_format)))
                    for held_content, held_format in platform.collections
                )
                if not local:
                    staged += size
            if platform.storage >= executable.storage + staged:
                result.add(platform.uuid)
        return result
