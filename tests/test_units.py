"""The unit parser: every form the manifests use, and the ones it must refuse."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from registry.errors import UnitError
from registry.units import (
    DATA_SIZE_PATTERN,
    DURATION_PATTERN,
    Kind,
    canonical,
    format_quantity,
    parse_count,
    parse_data_size,
    parse_duration,
)

GIB = Decimal(2**30)

SIZES = [
    (1, Decimal(1)),
    (1.5, Decimal("1.5")),
    ("16GiB", Decimal(16)),
    ("344G", Decimal(344)),
    ("344g", Decimal(344)),
    ("500MB", Decimal(500 * 10**6) / GIB),
    ("500 MB", Decimal(500 * 10**6) / GIB),
    ("5TB", Decimal(5 * 10**12) / GIB),
    ("5T", Decimal(5 * 1024)),
    ("2TiB", Decimal(2048)),
    ("512MiB", Decimal("0.5")),
    ("1024K", Decimal(1024 * 1024) / GIB),
    ("1073741824B", Decimal(1)),
    ("1073741824 bytes", Decimal(1)),
    ("10GB", Decimal(10 * 10**9) / GIB),
    ("1PB", Decimal(10**15) / GIB),
    (".5GiB", Decimal("0.5")),
    ("100", Decimal(100)),
]


@pytest.mark.parametrize(("given", "gib"), SIZES, ids=[str(s[0]) for s in SIZES])
def test_data_sizes_are_read_into_gib(given: object, gib: Decimal) -> None:
    assert parse_data_size(given) == gib  # type: ignore[arg-type]


@pytest.mark.parametrize("given", SIZES, ids=[str(s[0]) for s in SIZES])
def test_every_size_string_the_parser_reads_matches_the_shapes_pattern(given: tuple[object, Decimal]) -> None:
    if isinstance(given[0], str):
        assert re.match(DATA_SIZE_PATTERN, given[0], re.IGNORECASE)


BAD_SIZES = ["5 parsecs", "GB", "", "1.2.3GB", "-5GB", "5 GB extra", "5XB", "1e3GB"]


@pytest.mark.parametrize("given", BAD_SIZES, ids=BAD_SIZES)
def test_strings_that_are_not_sizes_are_refused_by_parser_and_pattern(given: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_data_size(given)
    assert "not a data size" in info.value.message
    assert not re.match(DATA_SIZE_PATTERN, given, re.IGNORECASE)


DURATIONS = [
    (190, Decimal(190)),
    ("190h", Decimal(190)),
    ("190 hours", Decimal(190)),
    ("30min", Decimal("0.5")),
    ("90m", Decimal("1.5")),
    ("2d", Decimal(48)),
    ("1w", Decimal(168)),
    ("3600s", Decimal(1)),
    ("12:30:00", Decimal("12.5")),
    ("01:15", Decimal("1.25")),
]


@pytest.mark.parametrize(("given", "hours"), DURATIONS, ids=[str(d[0]) for d in DURATIONS])
def test_durations_are_read_into_hours(given: object, hours: Decimal) -> None:
    assert parse_duration(given) == hours  # type: ignore[arg-type]
    if isinstance(given, str):
        assert re.match(DURATION_PATTERN, given, re.IGNORECASE)


@pytest.mark.parametrize("given", ["ten hours", "5 lightyears", "12:75", "h"], ids=["words", "unit", "clock", "bare-unit"])
def test_strings_that_are_not_durations_are_refused(given: str) -> None:
    with pytest.raises(UnitError):
        parse_duration(given)
    assert not re.match(DURATION_PATTERN, given, re.IGNORECASE)


def test_counts_are_whole_numbers() -> None:
    assert parse_count(8) == 8
    assert parse_count("4 cores") == 4
    for bad in (2.5, "many", True):
        with pytest.raises(UnitError):
            parse_count(bad)  # type: ignore[arg-type]


def test_quantities_are_formatted_for_people() -> None:
    assert format_quantity(Kind.DATA_SIZE, Decimal(344)) == "344 GiB"
    assert format_quantity(Kind.DATA_SIZE, Decimal(5 * 1024)) == "5 TiB"
    assert format_quantity(Kind.DATA_SIZE, Decimal("0.5")) == "512 MiB"
    assert format_quantity(Kind.DURATION, Decimal(190)) == "190 h"
    assert format_quantity(Kind.COUNT, Decimal(8)) == "8"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.4656612873077392578125"), Decimal("0.465661287307739258")),
        (Decimal("27.287670969963073730468750"), Decimal("27.287670969963073730")),
        (Decimal("7.450580596923828125"), Decimal("7.450580596923828125")),  # 18 digits: kept
        (Decimal(344), Decimal(344)),
    ],
)
def test_canonical_numbers_keep_at_most_18_fractional_digits(value: Decimal, expected: Decimal) -> None:
    assert canonical(value) == expected and str(canonical(value)) == str(expected)


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        (Kind.DATA_SIZE, Decimal("186.2645149230957"), "186 GiB"),
        (Kind.DATA_SIZE, Decimal("4656.612873077393"), "4.55 TiB"),
        (Kind.DATA_SIZE, Decimal("465661.28730773926"), "455 TiB"),
        (Kind.DATA_SIZE, Decimal("0.4656612873077392578125"), "477 MiB"),
        (Kind.DATA_SIZE, Decimal("1.5"), "1.5 GiB"),
        (Kind.DURATION, Decimal("0.25"), "15 min"),
        (Kind.DURATION, Decimal("12.3456"), "12.3 h"),
        (Kind.COUNT, Decimal(2048), "2048"),
    ],
)
def test_quantities_for_people_have_three_significant_figures(kind: Kind, value: Decimal, text: str) -> None:
    assert format_quantity(kind, value) == text

