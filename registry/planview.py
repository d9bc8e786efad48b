"""A plan in words a person reads: quantities with their units to three significant
figures, types and data terms by their labels, rejections and what would fit. The
command line prints :func:`plan_text`; the web's plan page uses the same pieces as
template filters, so that both say the same thing. JSON keeps exact numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from registry.texttable import table
from registry.units import Kind, format_quantity

__all__ = ["OVERRIDE_UNITS", "override_value", "plan_text", "quantity", "reason_text", "would_fit_text"]

Label = Callable[[str], str]

#: The unit each override's value is given in (as the command line reads a plain number).
OVERRIDE_UNITS = {"max-nodes": "nodes", "nodes": "nodes", "cores": "cores", "memory": "GiB", "hours": "h", "storage": "GiB", "data-size": "GiB"}

_KINDS = {"GiB": Kind.DATA_SIZE, "h": Kind.DURATION}


def quantity(value: Any, unit: str | None) -> str:
    """``value`` in ``unit`` (``GiB``, ``h``, ``cores``, ``nodes``) for people: ``186 GiB``,
    ``4.55 TiB``, ``190 h``, ``14 nodes``, ``1 core``; ``not given`` for None."""
    if value is None:
        return "not given"
    kind = _KINDS.get(unit or "")
    if kind is not None:
        return format_quantity(kind, Decimal(str(value)))
    text = format_quantity(Kind.COUNT, Decimal(str(value)))
    if not unit:
        return text
    return f"{text} {unit[:-1] if text == '1' and unit.endswith('s') else unit}"


def override_value(name: str, value: Any) -> str:
    """An override's value as the command line and the web read it back exactly:
    ``14``, ``256GiB``, ``12h``."""
    number = Decimal(str(value))
    text = str(number.quantize(Decimal(1))) if number == number.to_integral_value() else format(number.normalize(), "f")
    unit = OVERRIDE_UNITS[name]
    return text + (unit if unit in ("GiB", "h") else "")


def would_fit_text(fix: Mapping[str, Any] | None) -> str:
    """``--max-nodes 14``, ``--cores 128 --memory 256GiB``; or why nothing would."""
    if fix is None:
        return "no change of the needs would fit (it has no node pool)"
    return " ".join(f"--{name} {override_value(name, value)}" for name, value in fix.items())


def reason_text(reason: Mapping[str, Any], label: Label = str) -> str:
    """One failed constraint in words: ``cores: needs 210, offers 128 at 8 nodes``."""
    constraint = reason["constraint"]
    if constraint == "type":
        offered = ", ".join(label(t) for t in reason["offered"]) or "nothing"
        return f"does not run {label(reason['required'])} (runs {offered})"
    if constraint == "compute":
        return "has no node pool"
    unit = reason.get("unit")
    offered = "nothing" if reason["offered"] is None else quantity(reason["offered"], unit)
    if reason.get("offered") is None and constraint == "walltime":
        offered = "no limit"
    at = f" at {quantity(reason['at-nodes'], 'nodes')}" if "at-nodes" in reason else ""
    return f"{constraint}: needs {quantity(reason['required'], unit)}, offers {offered}{at}"


def needs_lines(requirements: Mapping[str, Any], label: Label = str) -> list[str]:
    """What the executable needs, a line each."""
    lines = []
    for need in requirements["compute"]:
        low, high = need["nodes"], need["max-nodes"]
        nodes = quantity(low, "nodes") if low == high else f"{low} to {quantity(high, 'nodes')}"
        hours = f", {quantity(need['hours'], 'h')}" if need["hours"] is not None else ""
        lines.append(f"{nodes}, {quantity(need['cores'], 'cores')}, {quantity(need['memory'], 'GiB')} of memory{hours}")
    if requirements["storage"]:
        lines.append(f"{quantity(requirements['storage'], 'GiB')} of working storage")
    for data in requirements["data"]:
        what = " as ".join(label(t) for t in (data["data-content"], data["data-format"]) if t) or "any data"
        size = quantity(data["size"], "GiB") if data["size"] is not None else "size not given"
        lines.append(f"data {data['title'] or data['uuid'] or ''}: {what}, {size}".replace("data : ", "data: "))
    return lines


def pool_text(pool: Mapping[str, Any]) -> str:
    """A node pool as it is: ``20 nodes x 16 cores x 64 GiB, up to 12 h``."""
    text = f"{quantity(pool['nodes'], 'nodes')} x {quantity(pool['cores-per-node'], 'cores')} x {quantity(pool['memory-per-node'], 'GiB')}"
    if pool.get("maxwalltime") is not None:
        text += f", up to {quantity(pool['maxwalltime'], 'h')}"
    if pool.get("gpus-per-node"):
        text += f", {quantity(pool['gpus-per-node'], 'GPUs')} per node"
    return text


def allocation_text(allocation: Mapping[str, Any]) -> str:
    """What a match allocates: ``14 nodes: 224 cores, 896 GiB``."""
    return f"{quantity(allocation['nodes'], 'nodes')}: {quantity(allocation['cores'], 'cores')}, {quantity(allocation['memory'], 'GiB')}"


def _each(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def plan_text(plan: Mapping[str, Any], label: Label = str) -> str:
    """The plan as ``esap-registry plan`` prints it."""
    needs = plan["requirements"]
    at = "minima" if plan["at"] == "min" else "maxima"
    lines = [f"{plan['title'] or plan['executable']} ({label(needs['type'])}), planned at the {at}"]
    lines += [f"  needs {line}" for line in needs_lines(needs, label)]
    lines.append("")
    rows = []
    for match in plan["matches"]:
        rows.append((
            str(match["rank"]),
            match["title"],
            "; ".join(pool_text(p) for p in _each(match["pool"])),
            "; ".join(allocation_text(a) for a in _each(match["allocation"])),
            ", ".join(d["title"] or d["uuid"] or "data" for d in match["local-data"]) or "-",
            f"{quantity(match['storage']['needed'], 'GiB')} of {quantity(match['storage']['offered'], 'GiB')}",
            match["launch"] or "-",
        ))
    summary = plan["summary"]
    lines.append(f"matches ({summary['matches']}{'' if len(rows) == summary['matches'] else f', the best {len(rows)} shown'}):")
    header = ["#", "platform", "pool", "allocation", "local data", "storage needed of offered", "launch"]
    lines.append(table(header, rows) if rows else "  none")
    lines.append("")
    failing = summary["platforms"] - summary["matches"]
    shown = len(plan["rejected"])
    lines.append(f"rejected ({failing}{'' if shown == failing else f', the nearest {shown} shown'}):")
    for rejected in plan["rejected"]:
        reasons = "; ".join(reason_text(r, label) for r in rejected["reasons"])
        lines.append(f"  {rejected['title']}: {reasons}")
        if "would-fit" in rejected:
            lines.append(f"    would fit with {would_fit_text(rejected['would-fit'])}")
    lines.append("")
    if "message" in summary:
        lines.append(summary["message"])
    lines.append(
        f"{summary['matches']} of {quantity(summary['platforms'], 'platforms')} match; "
        f"{summary['matches-at-min']} at the minima, {summary['matches-at-max']} at the maxima"
    )
    if summary["platforms"]:
        lines.append("platforms passing each constraint: " + ", ".join(f"{k} {v}" for k, v in summary["passing"].items()))
        admit = [f"--{name} {count}" for name, count in summary["would-admit"].items() if count]
        if admit:
            lines.append("rejected platforms a change of one need alone would admit: " + ", ".join(admit))
    return "\n".join(lines)
