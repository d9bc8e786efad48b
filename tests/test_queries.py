"""Every SPARQL query the code runs is a file in queries/ with a header comment,
parses, and binds its parameters the portable way."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest

from registry.resources import data_dir, load_query, query_names

QUERIES = query_names()
#: The updates that are templates, with sample values for their slots.
UPDATE_TEMPLATES = {
    "replace-graphs": {"drops": "", "data": ""},
    "revise-graphs": {"written": "<urn:example:g>", "token": '"t"'},
    "forget-revision": {"token": '"t"'},
}


@pytest.mark.parametrize("name", QUERIES, ids=QUERIES)
def test_each_query_has_a_header_and_parses(name: str) -> None:
    text = load_query(name)
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert header and header[0].startswith("# Purpose:"), "the header comment says the query's purpose first"
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    if name in UPDATE_TEMPLATES:
        for slot, value in UPDATE_TEMPLATES[name].items():
            text = text.replace(f"${slot}", value)
        pyoxigraph.Store().update(text.rstrip().removesuffix(";"))
    elif re.match(r"(?:\s*PREFIX[^\n]*\n)*\s*(INSERT|DELETE|DROP|CLEAR)\b", body):
        pyoxigraph.Store().update(text)  # an update whose placeholder lines stay comments: the whole index
    else:
        pyoxigraph.Store().query(text)


@pytest.mark.parametrize("name", QUERIES, ids=QUERIES)
def test_bound_parameters_are_projected_and_never_tested_with_bound(name: str) -> None:
    text = load_query(name)
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    section = re.search(r"# Bindings[^:]*:(.*?)(?:\n# Returns|\Z)", header, re.S)
    if section is None or "none" in section.group(1).split("\n")[0]:
        return
    parameters = {v for v in re.findall(r"\?(\w+)", section.group(1))}
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    select = re.search(r"SELECT(.*?)WHERE", body, re.S)
    written = "#@bind" in text  # values written into the text as BIND lines, not substituted
    for parameter in parameters:
        assert f"BOUND(?{parameter})" not in body, f"?{parameter} is a parameter: engines differ on BOUND of a substituted variable"
        if select and not written:
            assert f"?{parameter}" in select.group(1), f"?{parameter} is bound, so it must be projected (pyoxigraph substitutions)"


def test_no_sparql_text_in_the_python_package() -> None:
    package = Path(data_dir("queries")).parent / "registry"
    pattern = re.compile(r"""["']\s*(PREFIX|SELECT|CONSTRUCT|ASK|DESCRIBE|INSERT DATA|DELETE DATA|DELETE WHERE)\s""")
    offenders = [str(p) for p in package.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
