"""Formats in: manifests (plain JSON or YAML), JSON-LD, Turtle, N-Triples and RDF/XML
become RDF, as :class:`Document` s.

One module a job:

* :mod:`~registry.readers.model`: the document model (:class:`Document`, :class:`Problem`);
* :mod:`~registry.readers.sniff`: reading a source's bytes and telling its format;
* :mod:`~registry.readers.strict_json`, :mod:`~registry.readers.strict_yaml`: JSON and
  YAML held to the registry's limits, each fault told where it is;
* :mod:`~registry.readers.xml_guard`: the XML entity guard before RDF/XML is parsed;
* :mod:`~registry.readers.rdf`: Turtle, N-Triples and RDF/XML;
* :mod:`~registry.readers.base`: the readers of parsed JSON and YAML, and their registry;
* :mod:`~registry.readers.jsonld`: JSON-LD documents;
* :mod:`~registry.readers.mapping`: the JSON-LD context compiled for the manifest mapper;
* :mod:`~registry.readers.manifest`: the manifest mapper;
* :mod:`~registry.readers.normalise`: quantities normalised, entries split;
* :mod:`~registry.readers.load`: :func:`load_document` and friends, which pick the reader.

Names with a leading underscore are shared between the package's modules only. Software
records (CodeMeta, Zenodo) are read by :mod:`registry.ossr`, whose reader registers itself
here when that package is imported.
"""

from __future__ import annotations

from registry.readers.load import load_document, load_documents, load_path
from registry.readers.model import ENTRY_KEYS, MAX_DEPTH, Document, Problem, entry_iri
from registry.readers.sniff import FORMATS_READ, read_source

__all__ = [
    "ENTRY_KEYS",
    "FORMATS_READ",
    "MAX_DEPTH",
    "Document",
    "Problem",
    "entry_iri",
    "load_document",
    "load_documents",
    "load_path",
    "read_source",
]
