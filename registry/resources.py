"""Finding the data files shipped with the package: the ontology, the shapes and the queries.

In a wheel they sit in ``registry/_data/``; in a source checkout (or an
editable install) they are the top-level ``ontology/``, ``shapes/`` and
``queries/`` folders beside the package. Either way they are found relative to
the package, never to the current directory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["data_dir", "load_query", "query_names"]

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The folder of shipped data called ``name`` (``ontology``, ``shapes`` or ``queries``).

    :raises FileNotFoundError: when neither the wheel's nor the checkout's copy exists.
    """
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the package data folder {name!r} is missing from {_PACKAGE}")


@cache
def load_query(name: str) -> str:
    """The text of the SPARQL query or update ``queries/<name>.rq``.

    :raises FileNotFoundError: when there is no such query.
    """
    path = data_dir("queries") / f"{name}.rq"
    if not path.is_file():
        raise FileNotFoundError(f"no query named {name!r} in {path.parent}")
    return path.read_text(encoding="utf-8")


def query_names() -> list[str]:
    """The names of every shipped query."""
    return sorted(p.stem for p in data_dir("queries").glob("*.rq"))
