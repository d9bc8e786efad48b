"""Content negotiation, the SPARQL keyword scanner and the result formats, on their own."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.plugins.sparql.results.xmlresults import XMLResultParser

from registry.errors import InputError
from registry.sparql import scan, serialize_boolean, serialize_solutions
from registry.store import Solutions
from registry.web.negotiation import choose, parse_accept
from registry.web.settings import Settings, read_token_file

OFFERED = ["application/json", "text/turtle", "text/html"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("text/turtle", "text/turtle"),
        ("text/*", "text/turtle"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("text/turtle;q=0.5, application/json;q=0.4", "text/turtle"),
        ("text/turtle;q=0.5, text/html;q=0.9", "text/html"),
        ("*/*;q=0.1, text/turtle;q=0", "application/json"),
        ("text/*;q=0.9, text/html;q=0", "text/turtle"),
        ("image/png", None),
        ("application/json;q=0", None),
        ("garbage", "application/json"),
        ("TEXT/Turtle", "text/turtle"),
    ],
    ids=[
        "no-header", "empty", "anything", "exact", "type-wildcard", "browser", "q-order", "q-beats-order",
        "q-zero-excludes", "specific-beats-wildcard", "nothing-fits", "only-refused", "malformed", "case",
    ],
)
def test_choose(accept: str | None, expected: str | None) -> None:
    assert choose(accept, OFFERED) == expected


def test_parse_accept_reads_q_values_and_parameters() -> None:
    ranges = parse_accept('text/turtle;charset=utf-8;q=0.7, application/ld+json;profile="x", bad')
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "turtle", 0.7), ("application", "ld+json", 1.0)]
    assert ranges[0].params == (("charset", "utf-8"),)


@pytest.mark.parametrize(
    ("text", "form", "dataset", "service"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT", False, False),
        ("PREFIX ex: <http://example.org/select#> ask { ?s ?p ?o }", "ASK", False, False),
        ("BASE <http://x/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False, False),
        ("DESCRIBE <urn:x>", "DESCRIBE", False, False),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "UPDATE", False, False),
        ("# SELECT in a comment\nDROP GRAPH <urn:g>", "UPDATE", False, False),
        ("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }", "SELECT", True, False),
        ("SELECT * FROM NAMED <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }", "SELECT", True, False),
        ('SELECT * WHERE { ?s ?p "FROM SERVICE" }', "SELECT", False, False),
        ("SELECT * WHERE { ?s ?p '''a\n FROM ''' }", "SELECT", False, False),
        ("SELECT * WHERE { ?s <http://x/FROM> ?o . ?s ex:service ?from }", "SELECT", False, False),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", "SELECT", False, True),
        ("select * where { service<http://127.0.0.1:1/>{?s ?p ?o} }", "SELECT", False, True),
        ('SELECT * WHERE { ?s ?p "a\\" SERVICE" }', "SELECT", False, False),
        ("SELECT * WHERE { FILTER(?a<?b) SERVICE <urn:x> {} }", "SELECT", False, True),
        ("SELEC ?x", None, False, False),
    ],
    ids=[
        "select", "prefix-then-ask", "base-then-construct", "describe", "insert", "comment-then-drop",
        "from", "from-named", "keywords-in-string", "keywords-in-long-string", "keywords-in-iri-and-names",
        "service", "service-lower-case", "escaped-quote-in-string", "less-than-then-service", "misspelt",
    ],
)
def test_scan(text: str, form: str | None, dataset: bool, service: bool) -> None:
    found = scan(text)
    assert (found.form, found.has_dataset, found.has_service) == (form, dataset, service)


@pytest.fixture
def solutions() -> Solutions:
    rows = [
        (URIRef("urn:uuid:1"), Literal("a, \"quoted\"\ttab"), Literal(3)),
        (BNode("b0"), Literal("chat", lang="fr"), None),
    ]
    return Solutions(["s", "label", "n"], rows)


def test_json_results(solutions: Solutions) -> None:
    body = json.loads(serialize_solutions(solutions, "json"))
    assert body["head"]["vars"] == ["s", "label", "n"]
    first, second = body["results"]["bindings"]
    assert first["s"] == {"type": "uri", "value": "urn:uuid:1"}
    assert first["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    assert second["label"] == {"type": "literal", "value": "chat", "xml:lang": "fr"}
    assert "n" not in second and second["s"]["type"] == "bnode"


def test_xml_results_parse_back(solutions: Solutions) -> None:
    data = serialize_solutions(solutions, "xml")
    ET.fromstring(data)
    parsed = XMLResultParser().parse(io.BytesIO(data))
    rows = list(parsed)
    assert rows[0][0] == URIRef("urn:uuid:1") and rows[0][1] == Literal('a, "quoted"\ttab')
    assert rows[1][1] == Literal("chat", lang="fr") and rows[1][2] is None


def test_csv_and_tsv_results(solutions: Solutions) -> None:
    rows = list(csv.reader(io.StringIO(serialize_solutions(solutions, "csv").decode())))
    assert rows[0] == ["s", "label", "n"] and rows[1] == ["urn:uuid:1", 'a, "quoted"\ttab', "3"]
    lines = serialize_solutions(solutions, "tsv").decode().splitlines()
    assert lines[0] == "?s\t?label\t?n"
    assert lines[1] == '<urn:uuid:1>\t"a, \\"quoted\\"\\ttab"\t"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert lines[2] == '_:b0\t"chat"@fr\t'


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("json", b'"boolean": true'), ("xml", b"<boolean>true</boolean>"), ("csv", b"true"), ("tsv", b"true")],
    ids=["json", "xml", "csv", "tsv"],
)
def test_boolean_results(fmt: str, expected: bytes) -> None:
    assert expected in serialize_boolean(True, fmt)


def test_unknown_result_format_is_an_input_error(solutions: Solutions) -> None:
    with pytest.raises(InputError):
        serialize_solutions(solutions, "yaml")


def test_settings_refuse_nonsense(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        Settings(token="  ")
    with pytest.raises(InputError):
        Settings(query_timeout=0)
    empty = tmp_path / "token"
    empty.write_text("\n")
    with pytest.raises(InputError):
        read_token_file(empty)
    empty.write_text("  s3cret  \nignored\n")
    assert read_token_file(empty) == "s3cret"
    assert Settings.from_env(token_file=empty).token == "s3cret"
