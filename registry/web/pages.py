"""The HTML pages: the registry's lists and entries (with where each executable
can run), plans, the ontology and its terms, and the SPARQL query page.

Templates and static files are package data in ``registry/web/templates`` and
``registry/web/static``, found relative to this module. Jinja2 escapes every
value; links are only made from ``http(s)`` URLs and from paths the app builds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from rdflib import DCTERMS, OWL, Literal, URIRef

from registry import __version__
from registry.errors import InputError, ParameterError
from registry import planview
from registry.planner import DEFAULT_LIMIT, Overrides, Planner
from registry.resources import data_dir, load_query
from registry.service import Registry
from registry.store import Solutions
from registry.vocabulary import ESAP, VOCABULARY_IRI
from registry.web.ontology_index import OntologyIndex

__all__ = ["MAX_WORDS", "STATIC_DIR", "TEMPLATE_DIR", "ExampleQuery", "Pages", "fold_words", "term_path"]

_HERE = Path(__file__).resolve().parent
TEMPLATE_DIR = _HERE / "templates"
STATIC_DIR = _HERE / "static"
#: The binding of ?wanted in ``search-entries.rq`` that matches every type.
ANY_TYPE = URIRef("urn:esap-registry:any-type")
_KINDS = {
    "executables": (ESAP.Executable, "executable", ESAP.ExecutableType),
    "platforms": (ESAP.Platform, "platform", ESAP.PlatformKind),
    "datasets": (ESAP.Dataset, "data set", ESAP.DataContent),  # a data set's "type" is its data-content
}
_UUID_IRI = re.compile(r"^urn:uuid:([0-9a-f-]{36})$")
#: The most words a text search takes (``search-entries.rq`` binds ?w1 … ?w12).
MAX_WORDS = 12


#: The titles of an entry page's sections (the manifest's lists of objects), by kind.
SECTION_TITLES = {
    "executables": {
        "compute-resources": "Compute it needs (least and most)",
        "storage-resources": "Storage it needs",
        "data-resources": "Data it reads",
    },
    "platforms": {
        "compute-resources": "Node pools",
        "storage-resources": "Storage it offers",
        "data-resources": "Data it holds",
    },
    "datasets": {"access": "How to reach it"},
}
#: Column headers of those sections, with the unit a bare number is in (README, Quantities).
COLUMN_TITLES = {
    "executables": {
        "mincores": "Cores, at least",
        "maxcores": "Cores, at most",
        "minmemory": "Memory, at least (GiB)",
        "maxmemory": "Memory, at most (GiB)",
        "nodes": "Nodes, at least",
        "maxnodes": "Nodes, at most",
        "walltime": "Run time (hours)",
        "minsize": "Size, at least (GiB)",
        "maxsize": "Size, at most (GiB)",
    },
    "datasets": {"type": "Access type", "url": "Address"},
    "platforms": {
        "nodes": "Nodes",
        "cores": "Cores per node",
        "memory": "Memory per node (GiB)",
        "gpus": "GPUs per node",
        "maxwalltime": "Longest run (hours)",
    },
    "any": {
        "title": "Title",
        "uuid": "uuid",
        "size": "Size (GiB)",
        "maxsize": "Size, at most (GiB)",
        "data-content": "Content",
        "data-format": "Format",
        "url": "Address",
    },
}


def _accent_table() -> dict[int, str]:
    """Each lower-case letter of U+00C0-U+024F that is one ASCII letter with marks ->
    that letter: the very classes ``search-entries.rq`` folds its text with."""
    table = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        if char != char.lower():
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if len(base) == 1 and base.isascii() and base.isalpha() and base != char:
            table[code] = base
    return table


ACCENTS = _accent_table()


def fold_words(text: str) -> list[str]:
    """The words of a search, in lower case with their accents taken off as the search
    query takes them off its text (``ACCENTS``).

    :raises ParameterError: for more than ``MAX_WORDS`` words.
    """
    words = text.lower().translate(ACCENTS).split()
    if len(words) > MAX_WORDS:
        raise ParameterError("q", f"has {len(words)} words: a search takes at most {MAX_WORDS}", text)
    return words


def term_path(iri: str) -> str:
    """The page of a vocabulary term: ``/ontology/{name}`` for a term of the esap:
    namespace (no ``#`` that a browser would keep to itself), else ``/ontology/term?iri=``."""
    name = str(iri).removeprefix(str(ESAP))
    if name != str(iri) and name and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name):
        return f"/ontology/{quote(name)}"
    return f"/ontology/term?{urlencode({'iri': iri})}"


@dataclass(frozen=True)
class ExampleQuery:
    """An example of the query page: ``queries/examples/*.rq``, titled by its ``# Title:`` line."""

    name: str
    title: str
    text: str


def example_queries() -> list[ExampleQuery]:
    """The shipped example queries, in file order."""
    examples = []
    for path in sorted((data_dir("queries") / "examples").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        match = re.search(r"^#\s*Title:\s*(.+)$", text, re.MULTILINE)
        examples.append(ExampleQuery(path.stem, match.group(1).strip() if match else path.stem, text))
    return examples


def safe_url(value: Any) -> str | None:
    """The value when it is an absolute http(s) URL, else ``None`` (never a ``javascript:`` link)."""
    text = str(value or "").strip()
    parts = urlsplit(text)
    return text if parts.scheme in ("http", "https") and parts.netloc else None


def type_filter(wanted: str) -> URIRef | None:
    """The ``type`` parameter of a list as an IRI (``None`` when not given).

    :raises ParameterError: when it is not an IRI.
    """
    if not wanted:
        return None
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", wanted):
        raise ParameterError("type", "is not a type IRI", wanted)
    return URIRef(wanted)


class Pages:
    """Renders every HTML page of one app.

    :param registry: the registry the pages show.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.ontology = OntologyIndex(registry.vocabulary)
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATE_DIR),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(version=__version__, term_href=self.term_href, label=self.ontology.label)
        self.env.filters.update(safe_url=safe_url, value=self.value_html, entry_href=self.entry_href)
        self.env.filters.update(
            quantity=planview.quantity,
            pool_text=planview.pool_text,
            allocation_text=planview.allocation_text,
            would_fit_text=planview.would_fit_text,
            each=lambda value: value if isinstance(value, list) else [value],
        )
        self.env.globals.update(would_fit_href=would_fit_href, needs_lines=lambda needs: planview.needs_lines(needs, self.ontology.label))
        self.env.tests["iri"] = lambda value: isinstance(value, URIRef)

    # -- links ---------------------------------------------------------------------

    def term_href(self, iri: str) -> str | None:
        """The page of a vocabulary term, or ``None`` when the vocabulary has no such term."""
        return term_path(str(iri)) if str(iri) in self.ontology.terms else None

    def entry_href(self, iri: str) -> str | None:
        """The page of a registry entry named by its ``urn:uuid:`` IRI."""
        match = _UUID_IRI.match(str(iri))
        return f"/entries/{match.group(1)}" if match else None

    def value_html(self, value: Any) -> Markup:
        """A manifest value as HTML: terms and entries linked, URLs linked, the rest as text."""
        if isinstance(value, list):
            return Markup(", ").join(self.value_html(v) for v in value)
        text = str(value)
        href = self.term_href(text) or self.entry_href(text) or safe_url(text)
        if href:
            title = self.ontology.label(text) if self.term_href(text) else text
            shown = escape(text) if title == text else escape(title) + Markup(" <code>") + escape(text) + Markup("</code>")
            return Markup('<a href="{}">{}</a>').format(href, shown)
        return escape(text)

    def render(self, template: str, request: Request, **context: Any) -> str:
        return self.env.get_template(template).render(request_path=request.url.path, **context)

    # -- the registry ------------------------------------------------------------------

    def home(self, request: Request) -> str:
        entries = self.registry.entries()
        executables = sum(1 for e in entries if e.kind == "executable")
        datasets = sum(1 for e in entries if e.kind == "dataset")
        return self.render(
            "index.html", request, executables=executables, platforms=len(entries) - executables - datasets, datasets=datasets
        )

    def search(self, collection: str, text: str, wanted: str) -> list[dict[str, Any]]:
        """The entries of a collection holding every word of a text (in any order,
        whatever their case and accents, in the uuid, title, description or type labels)
        and of a type (narrower types too): those with every word in their title first,
        then by title.

        :raises ParameterError: when ``wanted`` is not an IRI, or the text has too many words.
        """
        kind, _, _ = _KINDS[collection]
        type_iri = type_filter(wanted) or ANY_TYPE
        words = fold_words(text)
        bindings: dict[str, Any] = {"kind": kind, "wanted": type_iri}
        bindings.update({f"w{i}": Literal(words[i - 1] if i <= len(words) else "") for i in range(1, MAX_WORDS + 1)})
        rows = self.registry.store.query(load_query("search-entries"), bindings)
        assert isinstance(rows, Solutions)
        found = []
        for row in rows:
            types = str(row["types"] or "").split()
            found.append(
                {
                    "uuid": str(row["uuid"]),
                    "title": str(row["title"]) if row["title"] is not None else None,
                    "description": str(row["description"]) if row["description"] is not None else None,
                    "types": sorted(types, key=lambda t: (self.ontology.label(t).lower(), t)),
                    "title_hit": int(str(row["titleHit"] or 0)) == 1,
                }
            )
        return found

    def entry_list(self, request: Request, collection: str, text: str, wanted: str) -> str:
        _, name, type_class = _KINDS[collection]
        entries = self.search(collection, text, wanted)
        types = [(str(t), self.ontology.label(t)) for t in self.registry.vocabulary.terms_of(type_class)]
        types.sort(key=lambda pair: pair[1].lower())
        return self.render(
            "entries.html", request, collection=collection, name=name, entries=entries, text=text, wanted=wanted, types=types
        )

    def shopping_page(self, request: Request, listing: dict[str, Any]) -> str:
        """The data shopping list of an executable (:func:`registry.shopping.shopping_list`)."""
        return self.render("shopping.html", request, listing=listing)

    def _plan(self, uuid: str, at: str = "min", overrides: Overrides | None = None) -> tuple[dict[str, Any] | None, str | None]:
        try:
            return Planner(self.registry).plan(uuid, at=at, overrides=overrides, limit=DEFAULT_LIMIT).to_dict(), None  # type: ignore[arg-type]
        except InputError as exc:
            return None, str(exc)

    def entry_page(self, request: Request, collection: str, uuid: str) -> str:
        _, name, _ = _KINDS[collection]
        entry = self.registry.export_manifest(uuids=[uuid])[collection][0]
        plan, plan_error = self._plan(uuid) if collection == "executables" else (None, None)
        runnable = Planner(self.registry).runnable(uuid, limit=DEFAULT_LIMIT) if collection == "platforms" else None
        nested = {k: v for k, v in entry.items() if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)}
        scalars = {
            k: v
            for k, v in entry.items()
            if k not in nested and k not in ("uuid", "title", "description", "type", "location")
        }
        sections = []
        for key, items in nested.items():
            columns = list(dict.fromkeys(k for item in items for k in item))
            titles = COLUMN_TITLES[collection] | {k: v for k, v in COLUMN_TITLES["any"].items() if k not in COLUMN_TITLES[collection]}
            sections.append(
                {
                    "key": key,
                    "title": SECTION_TITLES[collection].get(key, key),
                    "columns": [(c, titles.get(c, c)) for c in columns],
                    "items": items,
                }
            )
        return self.render(
            "entry.html",
            request,
            collection=collection,
            name=name,
            entry=entry,
            sections=sections,
            scalars=scalars,
            plan=plan,
            plan_error=plan_error,
            runnable=runnable,
            form={},
        )

    def plan_page(self, request: Request, uuid: str, plan: dict[str, Any] | None, error: ParameterError | None = None) -> str:
        """The plan page: the override form (kept filled; a bad value's error beside its
        field, and no plan), then the plan."""
        form = {k: request.query_params.get(k, "") for k in PLAN_FIELDS}
        errors = {error.parameter: error.describe(error.parameter) for error in ([error] if error else [])}
        title = plan["title"] if plan else self._title(uuid)
        return self.render("plan.html", request, uuid=uuid, plan=plan, form=form, errors=errors, title=title)

    def _title(self, uuid: str) -> str:
        entry = self.registry.export_manifest(uuids=[uuid])
        for entries in entry.values():
            for item in entries if isinstance(entries, list) else []:
                return str(item.get("title") or uuid)
        return uuid

    # -- the ontology ----------------------------------------------------------------------

    def ontology_page(self, request: Request) -> str:
        graph = self.registry.vocabulary.graph
        return self.render(
            "ontology.html",
            request,
            ontology=self.ontology,
            title=str(graph.value(VOCABULARY_IRI, DCTERMS.title) or "ESAP registry vocabulary"),
            description=str(graph.value(VOCABULARY_IRI, DCTERMS.description) or ""),
            version=str(graph.value(VOCABULARY_IRI, OWL.versionInfo) or ""),
            namespace=str(ESAP),
            local=lambda iri: str(iri).removeprefix(str(ESAP)),
        )

    def term_page(self, request: Request, iri: str) -> str:
        info = self.ontology.term(iri)
        usage = self.ontology.usage(self.registry.store, iri)
        filters = []
        for collection, (_, _, type_class) in _KINDS.items():
            if URIRef(iri) in self.registry.vocabulary.terms_of(type_class):
                filters.append((collection, f"/{collection}?{urlencode({'type': iri})}"))
        return self.render(
            "term.html",
            request,
            term=info,
            usage=usage,
            filters=filters,
            literal=_literal,
            namespace_only=str(iri) == str(VOCABULARY_IRI),
        )

    # -- SPARQL and errors --------------------------------------------------------------------

    def query_page(
        self, request: Request, query: str | None = None, outcome: dict[str, Any] | None = None, status: int = 200
    ) -> str:
        """The query page: the query given (else the first example) in the editor, and
        when it was run, its ``outcome``: ``results`` (SPARQL results JSON), ``graph``
        (Turtle) or ``error`` (a message, with the ``position`` it points at)."""
        examples = example_queries()
        results = None
        error = None
        if outcome and "results" in outcome:
            results = self._results_table(outcome["results"])
        if outcome and "error" in outcome:
            error = {"status": status, "message": outcome["error"], "position": outcome.get("position")}
            if error["position"] and query is not None:
                line, column = error["position"]
                lines = query.splitlines() or [""]
                if 1 <= line <= len(lines):
                    error["excerpt"] = lines[line - 1]
                    error["caret"] = " " * max(column - 1, 0) + "^"
        return self.render(
            "query.html",
            request,
            examples=[{"name": e.name, "title": e.title, "text": e.text} for e in examples],
            initial=query if query is not None else (examples[0].text if examples else ""),
            ran=outcome is not None,
            results=results,
            graph=(outcome or {}).get("graph"),
            error=error,
        )

    #: The most rows the query page shows of a result; the formats give them all.
    MAX_ROWS = 1000

    def _results_table(self, data: dict[str, Any]) -> dict[str, Any]:
        """SPARQL results JSON as the rows of the page's table: each value its text, a link
        (entries, vocabulary terms, web addresses) and a note (language or datatype)."""
        if "boolean" in data:
            return {"boolean": bool(data["boolean"])}
        variables = list(data["head"]["vars"])
        bindings = data["results"]["bindings"]
        rows = []
        for binding in bindings[: self.MAX_ROWS]:
            row = []
            for name in variables:
                term = binding.get(name)
                if term is None:
                    row.append(None)
                elif term["type"] == "uri":
                    value = term["value"]
                    row.append({"text": value, "href": self.term_href(value) or self.entry_href(value) or safe_url(value)})
                elif term["type"] == "bnode":
                    row.append({"text": "_:" + term["value"]})
                else:
                    note = "@" + term["xml:lang"] if "xml:lang" in term else ""
                    if not note and "datatype" in term:
                        note = " (" + re.sub(r"^.*[#/]", "", term["datatype"]) + ")"
                    row.append({"text": term["value"], "note": note})
            rows.append(row)
        return {"vars": variables, "rows": rows, "total": len(bindings)}

    def error_page(self, request: Request, status: int, body: dict[str, Any]) -> str:
        return self.render("error.html", request, status=status, body=body)


def _literal(node: Any) -> str:
    if isinstance(node, Literal) and node.language:
        return f"{node} ({node.language})"
    return str(node)


#: The plan page's form fields, in the order the form shows them.
PLAN_FIELDS = ("at", "cores", "memory", "nodes", "max-nodes", "hours", "storage", "data-size", "limit")


def would_fit_href(uuid: str, form: dict[str, str], fix: dict[str, Any]) -> str:
    """The plan page again, with the form's values and a rejection's "would fit" overrides
    filled in (they replace the same fields)."""
    values = {k: v for k, v in form.items() if v}
    values.update({name: planview.override_value(name, value) for name, value in fix.items()})
    query = urlencode([(k, values[k]) for k in PLAN_FIELDS if k in values])
    return f"/plan/{uuid}" + (f"?{query}" if query else "")
