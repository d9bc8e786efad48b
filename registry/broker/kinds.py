"""The ExecutionBroker's kind URIs and what the registry reads them as.

The kinds the broker *writes* are the schema's own (Calycopis-openapi v1.0), named
here once. The kinds it *reads*, and the registry term each stands for, come from
the vocabulary's alignments (``ontology/alignments.ttl``) through
``queries/broker-kinds.rq``: an executable kind gives the executable type, a
compute, storage or data kind the requirement it is read as. Old PURLs of the
drafts are aligned there too, so a request may use any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.resources import load_query
from registry.service import Registry

__all__ = [
    "COMPUTE_KIND",
    "DATA_KIND",
    "KINDS_BASE",
    "KindMap",
    "MESSAGE_KIND",
    "OFFERSET_KIND",
    "SESSION_KIND",
    "STORAGE_KIND",
    "UPDATE_KIND",
    "executable_kind",
]

#: Where every kind of the v1.0 schema lives.
KINDS_BASE = "https://www.purl.org/ivoa.net/Calycopis-openapi/schema/v1.0/kinds/"
OFFERSET_KIND = KINDS_BASE + "offerset/execution-offerset.yaml"
SESSION_KIND = KINDS_BASE + "session/simple-execution-session.yaml"
COMPUTE_KIND = KINDS_BASE + "compute/simple-compute-resource.yaml"
STORAGE_KIND = KINDS_BASE + "storage/simple-storage-resource.yaml"
DATA_KIND = KINDS_BASE + "data/simple-data-resource.yaml"
#: The one session update the broker takes: a new phase.
UPDATE_KIND = "uri:enum-value-update"
#: The kind of the messages the registry writes (a page that explains them).
MESSAGE_KIND = "https://w3id.org/esap-registry/broker#message"


def executable_kind(name: str) -> str:
    """The v1.0 kind URI of an executable kind by its name (``jupyter-notebook``)."""
    return f"{KINDS_BASE}executable/{name}.yaml"


@dataclass(frozen=True)
class KindMap:
    """What each broker kind URI is read as, from the vocabulary.

    :param terms: kind URI -> (role, registry term): role is ``executable``,
        ``compute``, ``storage`` or ``data``; the term an executable-type URN or a
        requirement class.
    :param labels: registry term -> its English label.
    :param data_terms: (``product-type`` or ``media-type``, the value a request writes)
        -> the registry's data content or data format URN.
    """

    terms: dict[str, tuple[str, str]]
    labels: dict[str, str] = field(default_factory=dict)
    data_terms: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def load(cls, registry: Registry) -> KindMap:
        """Read the alignments from the registry's vocabulary graph (exact matches win
        over close ones when a kind has both).

        :raises StoreError: when the store fails.
        """
        registry.prepare()
        terms: dict[str, tuple[str, str]] = {}
        exact: dict[str, bool] = {}
        labels: dict[str, str] = {}
        for row in registry.store.select(load_query("broker-kinds")):
            kind, term, role, is_exact = str(row["kind"]), str(row["term"]), str(row["role"]), row["exact"] is True
            if row["label"] is not None:
                labels[term] = str(row["label"])
            if kind in terms and (exact[kind] or not is_exact):
                continue
            terms[kind] = (role, term)
            exact[kind] = is_exact
        data_terms: dict[tuple[str, str], str] = {}
        for row in registry.store.select(load_query("broker-data-terms")):
            data_terms.setdefault((str(row["field"]), str(row["value"]).lower()), str(row["term"]))  # exact matches first
        return cls(terms, labels, data_terms)

    def data_term(self, field_: str, value: str) -> str | None:
        """The registry's data content (``product-type``) or data format (``media-type``)
        URN of an IVOA value (``cube``, ``application/fits``; a media type's parameters
        are ignored); None when the vocabulary aligns none."""
        key = value.split(";", 1)[0].strip().lower()
        return self.data_terms.get((field_, key))

    def read(self, kind: str) -> tuple[str, str] | None:
        """(role, term) of a kind URI; the ``.yaml`` ending is optional either way
        (drafts wrote both). None for a kind the registry does not know."""
        for candidate in (kind, kind.removesuffix(".yaml"), kind + ".yaml"):
            if candidate in self.terms:
                return self.terms[candidate]
        return None

    def known(self, role: str) -> list[str]:
        """The v1.0 kinds of one role the registry reads (for messages), sorted."""
        return sorted(k for k, (r, _) in self.terms.items() if r == role and k.startswith(KINDS_BASE) and "/computer/" not in k)

    def kind_of_type(self, type_: str) -> str | None:
        """The v1.0 executable kind of an executable-type URN, or of the nearest broader
        type that has one (given as candidates in order by the caller); None when none."""
        for kind, (role, term) in sorted(self.terms.items()):
            if role == "executable" and term == type_ and kind.startswith(KINDS_BASE):
                return kind
        return None
