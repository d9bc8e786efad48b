"""The OSSR import: software records from CodeMeta and Zenodo, and the executables they provide.

* :mod:`registry.ossr.codemeta`: ``codemeta.json`` (CodeMeta 1.0, 2.0, 3.0) read as
  JSON-LD with the bundled contexts;
* :mod:`registry.ossr.zenodo`: Zenodo record JSON (as the API returns it and eossr wraps it);
* :mod:`registry.ossr.records`: a record's IRI, its graph and its executables;
* :mod:`registry.ossr.importer`: importing files offline, or Zenodo online through eossr.

Importing this package registers :class:`OssrReader` with the readers
(:mod:`registry.readers.base`), so that ``load_document`` reads a ``codemeta.json`` or a
Zenodo record as a software record; the readers import nothing of this package.
"""

from __future__ import annotations

from typing import Any

from registry.ossr.codemeta import codemeta_version
from registry.ossr.records import EXECUTABLES_FILE, NOTEBOOK_TYPE, RecordDocuments, build_record, record_iri
from registry.ossr.zenodo import is_zenodo_record
from registry.readers.base import Reader, register
from registry.readers.model import Document
from registry.vocabulary import Vocabulary

__all__ = [
    "EXECUTABLES_FILE",
    "NOTEBOOK_TYPE",
    "OssrReader",
    "RecordDocuments",
    "build_record",
    "load_ossr",
    "ossr_kind",
    "record_iri",
]


def ossr_kind(tree: Any) -> str | None:
    """What a parsed JSON document is, the one rule for every reader (``load_document``
    and ``esap-registry ossr import``): ``zenodo`` when it is a Zenodo record;
    ``codemeta`` when it names a CodeMeta context, or is typed ``SoftwareSourceCode``
    or has a ``codeRepository`` (terms of CodeMeta alone: such a document is read as a
    ``codemeta.json``, which says what is wrong with it); else None (a manifest or
    other JSON-LD)."""
    if is_zenodo_record(tree):
        return "zenodo"
    if codemeta_version(tree) is not None:
        return "codemeta"
    if isinstance(tree, dict) and (tree.get("@type") == "SoftwareSourceCode" or "codeRepository" in tree):
        return "codemeta"
    return None


def load_ossr(tree: Any, *, source: str, vocabulary: Vocabulary | None = None) -> Document:
    """A codemeta.json or a Zenodo record as one document: the record and the executables
    ESAP's keyword rule derives (companion files are read by ``esap-registry ossr import`` only).

    :raises OssrError: when it cannot be read as a record.
    """
    kind = ossr_kind(tree)
    built = build_record(
        source=source,
        codemeta=tree if kind == "codemeta" else None,
        zenodo=tree if kind == "zenodo" else None,
        vocabulary=vocabulary,
    )
    return built.merged()


class OssrReader(Reader):
    """A software record: a ``codemeta.json`` or a Zenodo record (see :func:`ossr_kind`),
    asked before the JSON-LD reader (a ``codemeta.json`` has an ``@context`` of its own)."""

    name = "ossr"
    priority = 10

    def claims(self, tree: Any) -> bool:
        return ossr_kind(tree) is not None

    def read(self, tree: Any, *, source: str, vocabulary: Vocabulary, direct: bool, format_name: str) -> Document:
        return load_ossr(tree, source=source, vocabulary=vocabulary)


register(OssrReader())
