"""The registry's one reach into pySHACL's internals, and the pySHACL versions it is
proven against.

Two things rest on pySHACL's own code rather than on its API:

- the fast checker (:mod:`registry.shacl_fast`) mirrors what pySHACL 0.40 does (its
  literal comparisons, its ``sh:datatype`` rules, its regular expressions), and
  ``tests/test_shacl_fast.py`` holds the two against each other;
- :func:`install_parameter_index` replaces pySHACL's list of constraint parameters
  (``pyshacl.shape.CONSTRAINT_PARAMS``, a module global) with the same list indexed by
  hash, which halves the time of a bulk validation.

Both are used only with a pySHACL whose version is in :data:`PROVEN` (``pyproject.toml``
pins the same range). :func:`prepare` is called when a validator is built (never on
import): with a proven version it installs the index and says yes; with any other it
logs one line and says no, and the validator then runs plain pySHACL on every document.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

import pyshacl
import pyshacl.shape
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

__all__ = ["PROVEN", "install_parameter_index", "prepare", "proven"]

logger = logging.getLogger(__name__)

#: The pySHACL versions the fast checker and the parameter index are proven against:
#: at least the first, below the second (``pyshacl>=0.40,<0.41`` in ``pyproject.toml``).
PROVEN: tuple[tuple[int, int], tuple[int, int]] = ((0, 40), (0, 41))
_RELEASE = re.compile(r"(\d+)\.(\d+)")


def proven(version: str) -> bool:
    """True when pySHACL ``version`` (``"0.40.1"``) is in :data:`PROVEN`; a version
    that does not start with ``major.minor`` is not."""
    match = _RELEASE.match(version)
    if match is None:
        return False
    release = (int(match.group(1)), int(match.group(2)))
    return PROVEN[0] <= release < PROVEN[1]


def _range() -> str:
    (low_major, low_minor), (high_major, high_minor) = PROVEN
    return f">={low_major}.{low_minor},<{high_major}.{high_minor}"


def prepare(version: str | None = None) -> bool:
    """Make pySHACL ready for the validator: with a proven version, install the
    parameter index (once) and return True; with any other, log one line and return
    False (the validator then uses plain pySHACL and no fast checker).

    :param version: the pySHACL version to judge (the installed one by default).
    """
    version = pyshacl.__version__ if version is None else version
    if not proven(version):
        logger.warning(
            "pySHACL %s is not a version the fast SHACL checker is proven against (pyshacl%s): "
            "plain pySHACL validates every document",
            version,
            _range(),
        )
        return False
    install_parameter_index()
    return True


class _ConstraintParameters(list[Any]):
    """pySHACL's list of constraint parameters (``sh:minCount``, ``sh:datatype``, ...),
    with membership by hash instead of by scanning the list.

    For every focus node and shape, pySHACL (0.40) filters the shape's predicates with
    ``p in ALL_CONSTRAINT_PARAMETERS``, a list of some forty IRIs: half of a bulk
    validation's time went to rdflib's ``__eq__`` (4.5 million calls for 500
    executables). The list is the same, so is what pySHACL finds; it is installed where
    pySHACL looks for it (``pyshacl.shape.CONSTRAINT_PARAMS``), and ``copy`` and
    ``append`` (its advanced mode adds ``sh:expression``) keep the index.
    """

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self._index = set(self)

    def __contains__(self, item: object) -> bool:
        return item in self._index

    def copy(self) -> _ConstraintParameters:
        return _ConstraintParameters(self)

    def append(self, item: Any) -> None:
        super().append(item)
        self._index.add(item)


def install_parameter_index() -> None:
    """Put the indexed list of constraint parameters where pySHACL looks for it (once;
    again is a no-op). Call it only with a proven pySHACL (see :func:`prepare`)."""
    # pySHACL sets the global itself at its first validation, unless it is already there.
    parameters, _ = getattr(pyshacl.shape, "CONSTRAINT_PARAMS", (None, None))
    if isinstance(parameters, _ConstraintParameters):
        return
    pyshacl.shape.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
        _ConstraintParameters(ALL_CONSTRAINT_PARAMETERS),
        CONSTRAINT_PARAMETERS_MAP,
    )
