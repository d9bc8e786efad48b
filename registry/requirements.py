"""What an executable needs, as the planner reads it, and the what-if overrides that
raise or lower those needs.

A compute requirement gives total cores and memory, wall-clock hours and a node range
``[nodes, max_nodes]``: ``nodes`` defaults to 1 and ``max_nodes`` to ``nodes`` (one
number is an exact count, as with Slurm's ``--nodes``). :meth:`Requirements.with_overrides`
is the one place where overrides are applied, for the planner and for its "would fit"
search alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from rdflib import URIRef

from registry.errors import ParameterError, UnitError
from registry.units import canonical, parse_count, parse_data_size, parse_duration

__all__ = ["OVERRIDE_NAMES", "ComputeNeed", "DataNeed", "Overrides", "Requirements", "decimal", "number"]

#: The overrides, named as the command line's options without dashes and as the web's
#: query parameters; the order in which "would fit" prefers them (see registry/whatif.py).
OVERRIDE_NAMES = ("max-nodes", "nodes", "hours", "data-size", "storage", "cores", "memory")


def number(value: Decimal | int | float | str | None) -> int | float | None:
    """A number as JSON gives it: an int when integral, else a float (None stays None)."""
    if value is None:
        return None
    kind = type(value)
    if kind is int:
        return value  # type: ignore[return-value]
    if kind is Decimal:
        return int(value) if value == value.to_integral_value() else float(value)  # type: ignore[union-attr, arg-type]
    parsed = Decimal(str(value))
    return int(parsed) if parsed == parsed.to_integral_value() else float(parsed)


def decimal(value: object) -> Decimal | None:
    """A value read from a query as a Decimal (None stays None)."""
    if value is None:
        return None
    kind = type(value)
    if kind is Decimal:
        return value  # type: ignore[return-value]
    if kind is int:
        return Decimal(value)  # type: ignore[arg-type]
    return Decimal(str(value))


@dataclass(frozen=True, slots=True)
class ComputeNeed:
    """One compute requirement: total cores and memory (GiB) over a node range
    ``[nodes, max_nodes]``, and hours (None: no limit given)."""

    cores: Decimal
    memory: Decimal
    nodes: int
    max_nodes: int
    hours: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "cores": number(self.cores),
            "memory": number(self.memory),
            "nodes": self.nodes,
            "max-nodes": self.max_nodes,
            "hours": number(self.hours),
        }


#: The need of an executable that states no compute requirement: a pool of at least one node.
DEFAULT_NEED = ComputeNeed(Decimal(0), Decimal(0), 1, 1, None)


@dataclass(frozen=True, slots=True)
class DataNeed:
    """One data resource: what it holds, how it is encoded, and its size in GiB (None
    when not given: it then stages nothing)."""

    content: URIRef | None
    format: URIRef | None
    size: Decimal | None
    uuid: str | None = None
    title: str | None = None

    @property
    def staged(self) -> Decimal:
        """What staging it costs, in GiB (0 when its size is not given)."""
        return self.size if self.size is not None else Decimal(0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "title": self.title,
            "data-content": str(self.content) if self.content else None,
            "data-format": str(self.format) if self.format else None,
            "size": number(self.size),
        }


@dataclass(frozen=True)
class Requirements:
    """What an executable needs, at one end of its ranges, after overrides."""

    type: URIRef
    compute: tuple[ComputeNeed, ...]
    storage: Decimal
    data: tuple[DataNeed, ...]
    location: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": str(self.type),
            "compute": [c.to_dict() for c in self.compute],
            "storage": number(self.storage),
            "data": [d.to_dict() for d in self.data],
        }

    def with_overrides(self, parsed: Mapping[str, Decimal | int]) -> Requirements:
        """These requirements with overrides applied (as :meth:`Overrides.parsed` gives
        them, keyed by the option's name with dashes).

        ``nodes`` pins the node range to ``[nodes, nodes]``, or ``[nodes, max-nodes]``
        when ``max-nodes`` is given too; ``max-nodes`` alone moves the upper end. Cores,
        memory and hours replace every compute requirement's; ``storage`` the total
        working storage; ``data-size`` the size of every data resource.

        :raises ParameterError: when the node range would be empty (``max-nodes`` below
            ``nodes``).
        """
        if not parsed:
            return self
        compute = []
        for need in self.compute:
            nodes = int(parsed.get("nodes", need.nodes))
            max_nodes = int(parsed["max-nodes"]) if "max-nodes" in parsed else nodes if "nodes" in parsed else need.max_nodes
            if max_nodes < nodes:
                whose = "" if "nodes" in parsed else "the executable's "
                raise ParameterError("max-nodes", f"must be at least {whose}node count ({nodes}); lower --nodes too", max_nodes)
            compute.append(
                replace(
                    need,
                    cores=Decimal(parsed["cores"]) if "cores" in parsed else need.cores,
                    memory=Decimal(parsed["memory"]) if "memory" in parsed else need.memory,
                    nodes=nodes,
                    max_nodes=max_nodes,
                    hours=Decimal(parsed["hours"]) if "hours" in parsed else need.hours,
                )
            )
        data = self.data
        if "data-size" in parsed:
            data = tuple(replace(d, size=Decimal(parsed["data-size"])) for d in data)
        storage = Decimal(parsed["storage"]) if "storage" in parsed else self.storage
        return replace(self, compute=tuple(compute), storage=storage, data=data)


@dataclass(frozen=True)
class Overrides:
    """What-if values that raise or lower a need (``None`` keeps the executable's own).

    Values may be numbers or strings with units: ``memory="100GiB"``, ``data_size="500MB"``,
    ``hours="12h"``. Cores and memory are totals over all nodes; ``nodes`` pins the node
    range (with ``max_nodes``, sets its lower end); ``max_nodes`` sets its upper end;
    storage is the total working storage; ``data_size`` is the size of each data resource.
    """

    cores: int | str | None = None
    memory: float | int | str | None = None
    nodes: int | str | None = None
    max_nodes: int | str | None = None
    hours: float | int | str | None = None
    storage: float | int | str | None = None
    data_size: float | int | str | None = None

    @classmethod
    def from_names(cls, values: Mapping[str, Any]) -> Overrides:
        """Overrides from a mapping keyed by the options' names (``max-nodes``, ``data-size``).

        :raises ParameterError: for a name that is no override.
        """
        unknown = sorted(set(values) - set(OVERRIDE_NAMES))
        if unknown:
            raise ParameterError(unknown[0], f"is not an override (the overrides: {', '.join(OVERRIDE_NAMES)})")
        return cls(**{name.replace("-", "_"): value for name, value in values.items()})

    def parsed(self) -> dict[str, Decimal | int]:
        """The overrides given, in canonical units, keyed by the option's name (``max-nodes``).

        :raises ParameterError: naming the option, when a value is negative, not a number or too large.
        """
        readers = {
            "cores": parse_count,
            "memory": parse_data_size,
            "nodes": parse_count,
            "max_nodes": parse_count,
            "hours": parse_duration,
            "storage": parse_data_size,
            "data_size": parse_data_size,
        }
        result: dict[str, Decimal | int] = {}
        for name, reader in readers.items():
            value = getattr(self, name)
            if value is None:
                continue
            parameter = name.replace("_", "-")
            if isinstance(value, str) and value.strip().startswith("-"):
                raise ParameterError(parameter, "must not be negative", value)
            try:
                parsed = reader(value)
            except UnitError as exc:
                raise ParameterError(parameter, exc.message, value) from exc
            if parsed < 0:
                raise ParameterError(parameter, "must not be negative", value)
            if name in ("nodes", "max_nodes") and parsed < 1:
                raise ParameterError(parameter, "must be at least 1", value)
            result[parameter] = parsed if type(parsed) is int else canonical(parsed)
        if "nodes" in result and "max-nodes" in result and result["max-nodes"] < result["nodes"]:
            raise ParameterError("max-nodes", f"must be at least --nodes ({result['nodes']})", self.max_nodes)
        return result
