"""RDF documents (Turtle, N-Triples, RDF/XML) read with rdflib, each syntax error told at
its line and column (found with pyoxigraph's parser, which names both).
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import Graph

from registry.errors import InputError
from registry.readers.model import _DOCUMENT_IRI, Document
from registry.readers.normalise import _finish
from registry.readers.strict_json import _TURTLE_TOKENS, _too_deep
from registry.readers.xml_guard import _check_xml
from registry.vocabulary import Vocabulary


def read_rdf(text: str, source: str, fmt: str, vocabulary: Vocabulary) -> Document:
    """An RDF document (``turtle``, ``nt`` or ``xml``) as a :class:`Document`.

    :raises InputError: when it is not well-formed, nests too deep, or (RDF/XML) declares
        what the entity guard refuses.
    """
    if fmt == "xml":
        _check_xml(text, source)
    graph = Graph(bind_namespaces="none")
    try:
        graph.parse(data=text, format=fmt, publicID=_DOCUMENT_IRI)
    except RecursionError as exc:  # rdflib's Turtle parser recurses into each [ ] and ( )
        raise _too_deep(text, source, _TURTLE_TOKENS, fmt) from exc
    except Exception as exc:  # noqa: BLE001 - rdflib's parsers raise many unrelated types for bad syntax
        raise _rdf_syntax_error(exc, source, text, fmt) from exc
    document = Document(source=source, format=fmt, graph=graph)
    _finish(document, vocabulary)
    return document


_OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}


def _rdf_syntax_error(exc: Exception, source: str, text: str, fmt: str) -> InputError:
    """The error for an RDF document rdflib could not parse, with the line and column
    of the fault: pyoxigraph's parser names both for Turtle and N-Triples, the XML
    parser for RDF/XML; rdflib's own message otherwise."""
    name = {"turtle": "Turtle", "nt": "N-Triples", "xml": "RDF/XML"}[fmt]
    if fmt in _OX_FORMATS:
        try:
            for _ in ox.parse(text.encode("utf-8", "surrogatepass"), format=_OX_FORMATS[fmt]):
                pass
        except SyntaxError as found:
            if found.lineno is not None:
                message = str(found.msg)
                if message.startswith("Parser error") and ": " in message:
                    message = message.split(": ", 1)[1]
                return InputError(f"not well-formed {name}: {message}", source=source, line=found.lineno, column=found.offset)
        except ValueError:  # pyoxigraph cannot read it either (not UTF-8): rdflib's message below
            pass
    line: int | None = None
    column: int | None = None
    if hasattr(exc, "getLineNumber"):  # xml.sax's SAXParseException: 1-based line, 0-based column
        line, column = exc.getLineNumber(), exc.getColumnNumber() + 1
        text_of_error = exc.getMessage()
    else:
        text_of_error = str(exc)
        line_match = re.search(r"line (\d+)", text_of_error) or re.search(r":(\d+):", text_of_error)
        found_line = int(line_match.group(1)) if line_match else getattr(exc, "lines", None)
        line = found_line if isinstance(found_line, int) else None
        column_match = re.search(r"col(?:umn)? (\d+)", text_of_error)
        column = int(column_match.group(1)) if column_match else None
    message = re.sub(r"\s+", " ", text_of_error).strip()
    return InputError(f"not well-formed {name}: {message}", source=source, line=line, column=column)
