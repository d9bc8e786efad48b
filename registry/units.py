"""Reading quantities with units: data sizes, durations and counts.

A bare number is in the canonical unit of its kind (GiB for sizes, hours for
durations); a string carries its unit. Decimal SI prefixes (``kB``, ``MB``,
``GB``, ``TB``, ``PB``) are powers of 1000, binary ones (``KiB`` ... ``PiB``)
powers of 1024, and a lone letter (``K``, ``M``, ``G``, ``T``, ``P``) is binary,
as batch schedulers read it. The patterns below are the same as the
``sh:pattern`` of the SHACL shapes, so what SHACL accepts is what this module
reads.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import Enum

from registry.errors import UnitError

__all__ = [
    "DATA_SIZE_PATTERN",
    "DURATION_PATTERN",
    "LARGEST",
    "Kind",
    "canonical",
    "format_quantity",
    "significant",
    "parse_count",
    "parse_data_size",
    "parse_duration",
    "parse_quantity",
]

GIB = Decimal(2**30)

#: The largest quantity the registry reads, in the canonical unit of its kind (a
#: count, GiB, hours). Far beyond any real machine, and well within the numbers the
#: stores compare exactly (pyoxigraph's xsd:integer is 64-bit, its xsd:decimal has
#: 18 fraction digits in 128 bits): a larger value is refused, not stored uncomparable.
LARGEST = Decimal(10) ** 15
#: Digits of a number read at all; longer ones are refused before any arithmetic.
_MAX_DIGITS = 40

#: Regular expression (case-insensitive) of a data size written as a string.
DATA_SIZE_PATTERN = r"^\s*([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*([kmgtp](i?b|bytes?)?|b|bytes?)?\s*$"
#: Regular expression (case-insensitive) of a duration written as a string.
DURATION_PATTERN = (
    r"^\s*(([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)?"
    r"|[0-9]+:[0-5][0-9](:[0-5][0-9])?)\s*$"
)

_COUNT = re.compile(r"^\s*([0-9]+)\s*(cores?|cpus?|nodes?|gpus?)?\s*$", re.IGNORECASE)
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([a-z]*)\s*$", re.IGNORECASE)
_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([a-z]*)\s*$", re.IGNORECASE)
_CLOCK = re.compile(r"^\s*([0-9]+):([0-5][0-9])(?::([0-5][0-9]))?\s*$")

_SIZE_FACTORS: dict[str, Decimal] = {"": GIB, "b": Decimal(1), "byte": Decimal(1), "bytes": Decimal(1)}
for _exp, _letter in enumerate("kmgtp", start=1):
    _SIZE_FACTORS[_letter] = Decimal(1024**_exp)
    _SIZE_FACTORS[_letter + "ib"] = Decimal(1024**_exp)
    _SIZE_FACTORS[_letter + "b"] = Decimal(1000**_exp)
    _SIZE_FACTORS[_letter + "byte"] = Decimal(1000**_exp)
    _SIZE_FACTORS[_letter + "bytes"] = Decimal(1000**_exp)

_HOUR_FACTORS: dict[str, Decimal] = {"": Decimal(1)}
for _names, _hours in (
    (("s", "sec", "secs", "second", "seconds"), Decimal(1) / Decimal(3600)),
    (("m", "min", "mins", "minute", "minutes"), Decimal(1) / Decimal(60)),
    (("h", "hr", "hrs", "hour", "hours"), Decimal(1)),
    (("d", "day", "days"), Decimal(24)),
    (("w", "week", "weeks"), Decimal(168)),
):
    for _name in _names:
        _HOUR_FACTORS[_name] = _hours

_DURATION_QUANTUM = Decimal("1e-9")


class Kind(str, Enum):
    """The kinds of quantity, named as in the vocabulary (``esap:Count`` ...)."""

    COUNT = "Count"
    DATA_SIZE = "DataSize"
    DURATION = "Duration"


def _number(value: int | float | Decimal, what: str) -> Decimal:
    if isinstance(value, bool):
        raise UnitError(value, f"{what}: expected a number, not a boolean")
    if not isinstance(value, (int, float, Decimal)):
        raise UnitError(value, f"{what}: expected a number or a string")
    if isinstance(value, int) and value.bit_length() > 4 * _MAX_DIGITS:
        raise _too_large(value, what)
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:  # pragma: no cover - str(number) always parses
        raise UnitError(value, f"{what}: not a number") from exc
    if not number.is_finite():
        raise UnitError(value, f"{what}: not a finite number", out_of_range=True)
    return _in_range(number, value, what)


def _too_large(value: object, what: str) -> UnitError:
    return UnitError(value, f"{what}: larger than the largest the registry reads ({LARGEST:.0e})", out_of_range=True)


def _in_range(number: Decimal, value: object, what: str) -> Decimal:
    """The number, when its size is at most :data:`LARGEST` (checked before any rounding:
    a huge number cannot be rounded to a nanohour in 28 digits)."""
    if abs(number) > LARGEST:
        raise _too_large(value, what)
    return number


def _digits(match: re.Match[str], value: str, what: str) -> Decimal:
    """The number a pattern matched, refusing absurdly long ones before reading them."""
    text = match.group(1)
    if len(text) > _MAX_DIGITS:
        raise UnitError(value, f"{what}: a number of more than {_MAX_DIGITS} digits", out_of_range=True)
    return Decimal(text)


def _tidy(number: Decimal) -> Decimal:
    """Drop trailing zeros, keeping integers integral (``2.50`` -> ``2.5``, ``4.0`` -> ``4``)."""
    if number == number.to_integral_value():
        return number.quantize(Decimal(1))
    return number.normalize()


def parse_data_size(value: int | float | Decimal | str) -> Decimal:
    """Read a data size and return it in gibibytes.

    :param value: a number of GiB, or a string such as ``"500MB"``, ``"16GiB"``, ``"344G"``.
    :returns: the size in GiB, exactly.
    :raises UnitError: when the value is not a size.
    """
    if isinstance(value, str):
        match = _SIZE.match(value)
        factor = _SIZE_FACTORS.get(match.group(2).lower()) if match else None
        if match is None or factor is None:
            raise UnitError(
                value,
                "not a data size: expected a number of GiB or a number with a unit "
                "such as 500MB, 16GiB, 344G or 5TB",
            )
        return _tidy(_in_range(_digits(match, value, "data size") * factor / GIB, value, "data size"))
    return _tidy(_number(value, "data size"))


def parse_duration(value: int | float | Decimal | str) -> Decimal:
    """Read a duration and return it in hours.

    :param value: a number of hours, or a string such as ``"190h"``, ``"30min"``, ``"2d"`` or ``"12:30:00"``.
    :returns: the duration in hours, to a nanohour.
    :raises UnitError: when the value is not a duration.
    """
    if isinstance(value, str):
        clock = _CLOCK.match(value)
        if clock:
            hours = _digits(clock, value, "duration") + Decimal(clock.group(2)) / 60 + Decimal(clock.group(3) or 0) / 3600
            return _tidy(_in_range(hours, value, "duration").quantize(_DURATION_QUANTUM))
        match = _DURATION.match(value)
        factor = _HOUR_FACTORS.get(match.group(2).lower()) if match else None
        if match is None or factor is None:
            raise UnitError(
                value,
                "not a duration: expected a number of hours or a number with a unit "
                "such as 190h, 30min, 2d, or HH:MM:SS",
            )
        hours = _in_range(_digits(match, value, "duration") * factor, value, "duration")
        return _tidy(hours.quantize(_DURATION_QUANTUM))
    return _tidy(_number(value, "duration"))


def parse_count(value: int | float | Decimal | str) -> int:
    """Read a count (cores, nodes, GPUs): a whole number, as a string optionally
    followed by what it counts (``"4 cores"``).

    :raises UnitError: when the value is not a whole number.
    """
    if isinstance(value, str):
        match = _COUNT.match(value)
        if match is None:
            raise UnitError(value, "not a count: expected a whole number")
        return int(_in_range(_digits(match, value, "count"), value, "count"))
    number = _number(value, "count")
    if number != number.to_integral_value():
        raise UnitError(value, "not a count: expected a whole number")
    return int(number)


def parse_quantity(kind: Kind, value: int | float | Decimal | str) -> Decimal:
    """Read a value of the given kind into its canonical unit.

    :raises UnitError: when the value cannot be read as that kind.
    """
    if kind is Kind.DATA_SIZE:
        return parse_data_size(value)
    if kind is Kind.DURATION:
        return parse_duration(value)
    return Decimal(parse_count(value))


#: The most fractional digits a canonical number keeps. The SPARQL engines' decimal
#: arithmetic holds 18 (pyoxigraph's is a 128-bit integer of 10^-18 units), and a
#: comparison of a longer decimal fails there as an error; 10^-18 GiB is about a
#: billionth of a byte. The quantity as given is kept apart, exactly.
CANONICAL_PLACES = 18
_CANONICAL_STEP = Decimal(1).scaleb(-CANONICAL_PLACES)


def canonical(number: Decimal) -> Decimal:
    """``number`` rounded (half to even) to :data:`CANONICAL_PLACES` fractional digits,
    when it has more: the canonical value stored and compared by the planner's queries."""
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -CANONICAL_PLACES:
        return number.quantize(_CANONICAL_STEP, rounding=ROUND_HALF_EVEN)
    return number


def format_quantity(kind: Kind, value: Decimal | float | int) -> str:
    """Write a canonical value for people, to three significant figures (a whole number
    from 100 up): data sizes with binary prefixes (``186 GiB``, ``4.55 TiB``, ``512 MiB``),
    durations in hours (``190 h``; below an hour ``30 min``, below a minute ``2 s``), counts as they are
    (``2048``; a fraction to three figures)."""
    number = Decimal(str(value))
    if kind is Kind.DATA_SIZE:
        scaled, unit = number, "GiB"
        if abs(scaled) >= 1024:
            for unit in ("TiB", "PiB", "EiB"):
                scaled = scaled / 1024
                if abs(scaled) < 1024:
                    break
        elif 0 < abs(scaled) < 1:
            scaled, unit = scaled * 1024, "MiB"
            if abs(scaled) < 1:
                scaled, unit = scaled * 1024, "KiB"
                if abs(scaled) < 1:
                    scaled, unit = scaled * 1024, "bytes"
        return f"{significant(scaled)} {unit}"
    if kind is Kind.DURATION:
        if 0 < abs(number) < 1:
            minutes = number * 60
            return f"{significant(minutes)} min" if abs(minutes) >= 1 else f"{significant(minutes * 60)} s"
        return f"{significant(number)} h"
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return significant(number)


def significant(number: Decimal, digits: int = 3) -> str:
    """``number`` to ``digits`` significant figures, without an exponent or trailing
    zeros; from ``10 ** digits`` up (where that would need an exponent) a whole number."""
    if number == 0:
        return "0"
    if abs(number) >= 10 ** (digits - 1):
        return str(number.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    exponent = number.adjusted()  # the power of ten of the leading digit
    rounded = number.quantize(Decimal(1).scaleb(exponent - digits + 1), rounding=ROUND_HALF_EVEN)
    text = format(rounded, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
