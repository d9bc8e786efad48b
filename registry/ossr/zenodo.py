"""Zenodo records, as the Zenodo REST API returns them and ``eossr`` wraps them.

A record (``{"id": ..., "doi": ..., "conceptdoi": ..., "metadata": {...},
"files": [...], "links": {...}}``) becomes triples about the software record:
its DOI and concept DOI, its version and whether it is the latest, its files,
its landing page, and the MyBinder URL that ``eossr`` derives
(``https://mybinder.org/v2/zenodo/<doi>``). Title, description, creators,
keywords, licence and publication date use the schema.org terms CodeMeta uses,
so that a record read from Zenodo alone and one read from its ``codemeta.json``
answer the same queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from registry.errors import OssrError
from registry.ossr.codemeta import SCHEMA, is_absolute_iri
from registry.readers.model import Problem
from registry.vocabulary import ESAP

__all__ = ["BINDER_ZENODO", "ZenodoRecord", "is_zenodo_record", "normalise_doi", "read_zenodo"]

#: The MyBinder prefix eossr puts before a record's DOI (eossr.api.zenodo.Record.get_mybinder_url).
BINDER_ZENODO = "https://mybinder.org/v2/zenodo/"
_DOI = re.compile(r"(10\.\d{4,9}/[^\s\"<>]+)")
_RESOLVERS = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)


def normalise_doi(value: Any) -> str | None:
    """A DOI in lower case without resolver (``10.5281/zenodo.4790629``), or None when
    ``value`` holds none (it may be a bare DOI, ``doi:...`` or a ``https://doi.org/`` URL)."""
    if not isinstance(value, str):
        return None
    text = _RESOLVERS.sub("", value.strip())
    match = _DOI.match(text)
    return match.group(1).rstrip(".,;").lower() if match else None


def is_zenodo_record(tree: Any) -> bool:
    """True when a parsed JSON document is a Zenodo record (not a manifest, not JSON-LD)."""
    return (
        isinstance(tree, dict)
        and "@context" not in tree
        and not ({"executables", "platforms", "datasets"} & set(tree))
        and isinstance(tree.get("metadata"), dict)
        and "id" in tree
        and ("doi" in tree or "conceptdoi" in tree or "doi" in tree["metadata"])
    )


@dataclass
class ZenodoRecord:
    """What a Zenodo record says, as triples about the software record and as facts.

    :param graph: the triples.
    :param doi: the DOI of this version; ``concept_doi`` that of all versions.
    :param files: each deposited file's name -> its download URL.
    :param paths: node -> JSON path in the record (for the files).
    """

    graph: Graph
    doi: str | None
    concept_doi: str | None
    title: str | None
    description: str | None
    version: str | None
    keywords: list[str]
    files: dict[str, str]
    paths: dict[Any, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _s(name: str) -> URIRef:
    return URIRef(SCHEMA + name)


def read_zenodo(tree: Any, *, source: str, record: URIRef) -> ZenodoRecord:
    """Read a Zenodo record.

    :param record: the IRI of the software record.
    :raises OssrError: when it is not a Zenodo record (no ``id`` or no ``metadata``).
    """
    if not is_zenodo_record(tree):
        raise OssrError(
            "not a Zenodo record: expected an object with id, doi and metadata as the Zenodo API returns it",
            source=source,
            json_path="$",
        )
    metadata: dict[str, Any] = tree["metadata"]
    graph = Graph()
    problems: list[Problem] = []
    graph.add((record, RDF.type, ESAP.SoftwareRecord))
    resource = metadata.get("resource_type") if isinstance(metadata.get("resource_type"), dict) else {}
    kind = {"software": "SoftwareSourceCode", "dataset": "Dataset"}.get(str(resource.get("type", "software")), "CreativeWork")
    graph.add((record, RDF.type, _s(kind)))
    graph.add((record, ESAP.zenodoId, Literal(str(tree["id"]))))
    doi = normalise_doi(tree.get("doi") or metadata.get("doi"))
    concept = normalise_doi(tree.get("conceptdoi"))
    if doi:
        graph.add((record, ESAP.doi, Literal(doi)))
        graph.add((record, _s("identifier"), URIRef("https://doi.org/" + doi)))
        graph.add((record, ESAP.binderUrl, Literal(BINDER_ZENODO + doi, datatype=XSD.anyURI)))
    if concept:
        graph.add((record, ESAP.conceptDoi, Literal(concept)))
    title = _text(metadata.get("title"))
    description = _text(metadata.get("description"))
    version = _text(metadata.get("version"))
    for prop, value in (("name", title), ("description", description), ("version", version)):
        if value is not None:
            graph.add((record, _s(prop), Literal(value)))
    published = _text(metadata.get("publication_date"))
    if published:
        graph.add((record, _s("datePublished"), Literal(published, datatype=_s("Date"))))
    keywords = [k for k in metadata.get("keywords", []) if isinstance(k, str)] if isinstance(metadata.get("keywords"), list) else []
    for keyword in keywords:
        graph.add((record, _s("keywords"), Literal(keyword)))
    licence = metadata.get("license")
    licence_id = licence.get("id") if isinstance(licence, dict) else licence
    if isinstance(licence_id, str) and licence_id.strip():
        graph.add((record, _s("license"), Literal(licence_id.strip())))
    links = tree.get("links") if isinstance(tree.get("links"), dict) else {}
    landing = links.get("html") or links.get("self_html")
    if isinstance(landing, str) and is_absolute_iri(landing):
        graph.add((record, _s("url"), URIRef(landing)))
    for community in metadata.get("communities", []) if isinstance(metadata.get("communities"), list) else []:
        if isinstance(community, dict) and isinstance(community.get("id"), str):
            graph.add((record, ESAP.community, Literal(community["id"])))
    _versions(graph, record, metadata)
    _creators(graph, record, metadata.get("creators"))
    files, paths = _files(graph, record, tree.get("files"), problems)
    return ZenodoRecord(
        graph=graph,
        doi=doi,
        concept_doi=concept,
        title=title,
        description=description,
        version=version,
        keywords=keywords,
        files=files,
        paths=paths,
        problems=problems,
    )


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _versions(graph: Graph, record: URIRef, metadata: dict[str, Any]) -> None:
    relations = metadata.get("relations")
    versions = relations.get("version") if isinstance(relations, dict) else None
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        if isinstance(versions[0].get("is_last"), bool):
            graph.add((record, ESAP.isLatestVersion, Literal(versions[0]["is_last"])))
        if isinstance(versions[0].get("count"), int) and not isinstance(versions[0]["count"], bool):
            graph.add((record, ESAP.versionCount, Literal(versions[0]["count"])))


def _creators(graph: Graph, record: URIRef, creators: Any) -> None:
    if not isinstance(creators, list):
        return
    people = []
    for i, creator in enumerate(creators):
        if not isinstance(creator, dict) or not isinstance(creator.get("name"), str):
            continue
        orcid = creator.get("orcid")
        iri = f"https://orcid.org/{orcid.strip()}" if isinstance(orcid, str) and re.fullmatch(r"\s*[0-9X-]{19}\s*", orcid) else None
        person = URIRef(iri) if iri else URIRef(f"{record}#creator-{i}")
        graph.add((person, RDF.type, _s("Person")))
        graph.add((person, _s("name"), Literal(creator["name"].strip())))
        if isinstance(creator.get("affiliation"), str) and creator["affiliation"].strip():
            organisation = URIRef(f"{record}#creator-{i}-affiliation")
            graph.add((organisation, RDF.type, _s("Organization")))
            graph.add((organisation, _s("name"), Literal(creator["affiliation"].strip())))
            graph.add((person, _s("affiliation"), organisation))
        people.append(person)
    if people:
        head = BNode()
        Collection(graph, head, people)
        graph.add((record, _s("author"), head))


def _files(graph: Graph, record: URIRef, files: Any, problems: list[Problem]) -> tuple[dict[str, str], dict[Any, str]]:
    found: dict[str, str] = {}
    paths: dict[Any, str] = {}
    if files is None:
        return found, paths
    if not isinstance(files, list):
        problems.append(Problem("files must be a list", "files", None, "Warning"))
        return found, paths
    for i, item in enumerate(files):
        path = f"files[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem("each of files must be an object", path, None, "Warning"))
            continue
        node = URIRef(f"{record}#file-{i}")
        paths[node] = path
        graph.add((record, ESAP.file, node))
        graph.add((node, RDF.type, ESAP.RecordFile))
        name = item.get("key", item.get("filename"))
        if name is not None:
            graph.add((node, ESAP.fileName, Literal(name)))
        links = item.get("links") if isinstance(item.get("links"), dict) else {}
        url = links.get("self") or links.get("download")
        if isinstance(url, str) and is_absolute_iri(url):
            graph.add((node, ESAP.downloadUrl, Literal(url, datatype=XSD.anyURI)))
            if isinstance(name, str):
                found[name] = url
        size = item.get("size", item.get("filesize"))
        if size is not None:
            graph.add((node, ESAP.byteSize, Literal(size)))
        checksum = item.get("checksum")
        if isinstance(checksum, str) and checksum:
            graph.add((node, ESAP.checksum, Literal(checksum)))
    return found, paths
