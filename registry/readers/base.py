"""The readers of parsed documents, and the registry that picks one for a document.

A JSON or YAML document, once parsed (:mod:`registry.readers.strict_json`,
:mod:`registry.readers.strict_yaml`), is one of several kinds: a software record
(CodeMeta, Zenodo), JSON-LD, or a plain manifest. Each kind has a :class:`Reader`;
:func:`read_tree` gives the tree to the first registered reader that claims it, in the
order of their :attr:`Reader.priority`. The JSON-LD and manifest readers are registered
by :mod:`registry.readers.load`; the OSSR reader registers itself when
:mod:`registry.ossr` is imported, so that the readers import nothing of ``registry.ossr``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from registry.errors import InputError
from registry.readers.model import Document
from registry.vocabulary import Vocabulary

__all__ = ["Reader", "read_tree", "readers", "register"]


class Reader:
    """Reads one kind of parsed JSON or YAML document into a :class:`Document`."""

    #: the reader's name, unique in the registry
    name: ClassVar[str]
    #: readers are asked in increasing order of priority; the first that claims a tree reads it
    priority: ClassVar[int]

    def claims(self, tree: Any) -> bool:
        """Whether the tree is a document of this reader's kind."""
        raise NotImplementedError

    def read(self, tree: Any, *, source: str, vocabulary: Vocabulary, direct: bool, format_name: str) -> Document:
        """The tree as a document.

        :param source: the document's name, used in every message.
        :param direct: see :func:`registry.readers.load_document`.
        :param format_name: ``JSON`` or ``YAML``, for messages.
        :raises InputError: when it cannot be read at all.
        """
        raise NotImplementedError


_READERS: list[Reader] = []


def register(reader: Reader) -> None:
    """Add a reader (or replace the one of the same name)."""
    _READERS[:] = sorted([r for r in _READERS if r.name != reader.name] + [reader], key=lambda r: r.priority)


def readers() -> list[Reader]:
    """The registered readers, in the order they are asked."""
    return list(_READERS)


def read_tree(tree: Any, *, source: str, vocabulary: Vocabulary, direct: bool = True, format_name: str = "JSON") -> Document:
    """A parsed JSON (or YAML) tree as a document, read by the first reader that claims it.

    :raises InputError: when no reader claims it, or the reader cannot read it.
    """
    for reader in _READERS:
        if reader.claims(tree):
            return reader.read(tree, source=source, vocabulary=vocabulary, direct=direct, format_name=format_name)
    raise InputError(f"no reader reads this {format_name} document", source=source, json_path="$")
