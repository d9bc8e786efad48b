"""The XML entity guard: RDF/XML is checked before the RDF/XML parser reads it, so that
nothing is fetched (external DTDs and entities) and entities cannot expand without end.
"""

from __future__ import annotations

from xml.parsers import expat as pyexpat

from registry.errors import InputError


class _XmlRefused(Exception):
    pass


#: Characters that XML entities may add to a document, beyond its own length.
_XML_EXPANSION = 1024 * 1024


def _check_xml(text: str, source: str) -> None:
    """Refuse what could make the XML parser fetch, or expand without end: an external
    DTD or entity (never fetched: refused, so that no text is silently lost),
    parameter entities, entities whose text refers to other entities (the "billion
    laughs"), and plain entities used so often that the document grows by more than
    :data:`_XML_EXPANSION` characters. Plain text entities, as RDF/XML files use for
    namespaces, are read. Malformed XML is left to the RDF/XML parser, which says where.

    :raises InputError: at the line and column of what is refused.
    """

    def doctype(name: str, system_id: str | None, public_id: str | None, internal: int) -> None:
        if system_id or public_id:
            raise _XmlRefused(f"the document type refers to the DTD {system_id or public_id!r}, which is never fetched")

    def entity(
        name: str, parameter: int, value: str | None, base: str | None, system_id: str | None, public_id: str | None, notation: str | None
    ) -> None:
        if system_id or public_id:
            raise _XmlRefused(f"the XML entity {name!r} refers to {system_id or public_id!r}, which is never fetched")
        if parameter:
            raise _XmlRefused(f"the XML parameter entity {name!r} is not read: declare plain text entities only")
        if value is not None and ("&" in value or "%" in value):
            raise _XmlRefused(f"the XML entity {name!r} refers to other entities: declare plain text entities only")

    budget = [len(text) + _XML_EXPANSION]

    def spend(size: int) -> None:
        budget[0] -= size
        if budget[0] < 0:
            raise _XmlRefused(f"its entities expand the document by more than {_XML_EXPANSION} characters")

    def element(name: str, attributes: dict[str, str]) -> None:
        spend(len(name) + sum(len(k) + len(v) for k, v in attributes.items()))

    def characters(data: str) -> None:
        spend(len(data))

    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = element
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(text.encode("utf-8", "surrogatepass"), True)
    except _XmlRefused as refused:
        raise InputError(
            f"RDF/XML refused: {refused}", source=source, line=parser.CurrentLineNumber, column=parser.CurrentColumnNumber + 1
        ) from refused
    except pyexpat.ExpatError:
        return
