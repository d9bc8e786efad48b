"""The registry's own errors.

Core code raises these; only the web layer maps them to HTTP statuses and only
the CLI to exit codes. Each builds on the Python exception it refines, so that
callers who know nothing of the registry can still catch ``ValueError`` or
``LookupError``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BrokerBusy",
    "BrokerConflict",
    "BrokerUnreachable",
    "InputError",
    "NotFound",
    "OssrError",
    "OssrUnavailable",
    "ParameterError",
    "QueryError",
    "QueryTimeout",
    "RegistryError",
    "ShapesUnsupported",
    "StoreError",
    "StoreLocked",
    "StoreNotEmpty",
    "StoreUnavailable",
    "StoreValueError",
    "UnitError",
    "ValidationFailed",
]


class RegistryError(Exception):
    """Base class of every error the registry raises on purpose."""


class InputError(RegistryError, ValueError):
    """Input that cannot be read at all: malformed JSON or Turtle, bytes that are
    not UTF-8, a remote JSON-LD context, an unreadable file.

    :param message: what is wrong, in plain words.
    :param source: the file name (or ``<stdin>``, ``<request>``) it came from.
    :param line: the 1-based line of the fault, when known.
    :param column: the 1-based column of the fault, when known.
    :param json_path: the JSON path of the fault, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        json_path: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.json_path = json_path
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        if self.json_path:
            where += f" at {self.json_path}"
        return f"{where}: {self.message}" if where else self.message

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON for the API and ``--format json``."""
        return {
            "error": "input",
            "message": self.message,
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "path": self.json_path,
        }


_NOT_GIVEN: Any = object()


class ParameterError(InputError):
    """A value given for a named parameter (a command-line option, a URL query
    parameter) that cannot be used: not a number, negative, too large, not one of
    the choices.

    :param parameter: the parameter's name as a URL gives it (``cores``, ``data-size``);
        the command line's option is ``--`` and that name.
    :param problem: what is wrong with the value: ``must not be negative``, ``not a count: ...``.
    :param value: the value as given.
    """

    def __init__(self, parameter: str, problem: str, value: Any = _NOT_GIVEN) -> None:
        self.parameter = parameter
        self.problem = problem
        self.value = value
        super().__init__(self.describe(f"--{parameter}"))

    def describe(self, name: str) -> str:
        """The message, naming the parameter as ``name``."""
        joiner = " " if self.problem.startswith(("must ", "is ")) else ": "
        given = f" (got {_short(self.value)})" if self.value is not _NOT_GIVEN else ""
        return f"{name}{joiner}{self.problem}{given}"

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON for the API: the parameter named as the URL names it."""
        body = super().to_dict()
        body.update(error="parameter", parameter=self.parameter, message=self.describe(self.parameter))
        return body


class UnitError(RegistryError, ValueError):
    """A value that cannot be read as a quantity of the kind asked for.

    :param out_of_range: the value is a number, but not one the registry can hold: not
        finite, or larger than :data:`registry.units.LARGEST`. (The shapes cannot tell
        these from good numbers, so readers report them themselves.)
    """

    def __init__(self, value: object, message: str, *, out_of_range: bool = False) -> None:
        self.value = value
        self.message = message
        self.out_of_range = out_of_range
        super().__init__(f"{_short(value)}: {message}")


def _short(value: object) -> str:
    """``repr(value)``, cut short for values too long to quote whole in a message."""
    try:
        text = repr(value)
    except ValueError:  # an int too long for str() (Python's limit on digits)
        return f"<an integer of about {int(value.bit_length() * 0.30103)} digits>"  # type: ignore[attr-defined]
    return text if len(text) <= 60 else text[:40] + "..." + text[-10:]


class ValidationFailed(RegistryError, ValueError):
    """A document that does not conform to the shapes; nothing of it was stored.

    :param report: the :class:`registry.report.Report` that tells why (not imported here:
        this module imports nothing of the registry, so that every module may import it).
    """

    def __init__(self, report: Any) -> None:
        self.report = report
        count = len(report.violations)
        super().__init__(f"{count} violation{'s' if count != 1 else ''}: nothing was stored")


class ShapesUnsupported(RegistryError, ValueError):
    """A shapes graph that the fast SHACL checker (:mod:`registry.shacl_fast`) cannot
    compile: a SHACL feature it does not implement, or a shape pySHACL itself would
    refuse. The validator then runs pySHACL on every document.

    :param shape: the shape (or other node) at fault, when there is one.
    """

    def __init__(self, message: str, shape: object = None) -> None:
        self.message = message
        self.shape = shape
        super().__init__(f"{shape}: {message}" if shape is not None else message)


class NotFound(RegistryError, LookupError):
    """No entry (executable, platform or term) with that identifier."""

    def __init__(self, what: str, kind: str = "entry") -> None:
        self.what = what
        self.kind = kind
        super().__init__(f"no {kind} {what} in the registry")


class QueryError(RegistryError, ValueError):
    """A SPARQL query or update that the store refuses: a syntax error, or a
    result it cannot give. Carries the parser's message."""


class QueryTimeout(RegistryError):
    """A query that ran past its time limit and was stopped; nothing of its result is given.

    :param seconds: the limit that was exceeded.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the query ran longer than its limit of {seconds:g} s and was stopped")


class StoreError(RegistryError, RuntimeError):
    """The store failed to read or write: a full disk, a read-only directory,
    a store that is locked by another process."""


class StoreLocked(StoreError):
    """The embedded store's directory is held by another process, most often a running
    ``esap-registry serve``: its message says so, and how to reach the same data through
    that server, which is a SPARQL 1.1 store itself.

    :param path: the store's directory.
    :param reason: the system's own words.
    """

    def __init__(self, path: object, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(
            f"the store at {path} is in use by another process, most likely a running `esap-registry serve`, "
            f"which holds its store while it runs ({reason}). That server is a SPARQL 1.1 store itself: give it as "
            "the store, as in --store http://127.0.0.1:8000/sparql --update-url http://127.0.0.1:8000/update "
            "(its host and port), with its token in $ESAP_REGISTRY_STORE_TOKEN (or --credentials-file) for writes; "
            "or stop the server first"
        )


class StoreUnavailable(StoreError):
    """The store cannot be reached (a remote endpoint that is down or too slow)."""


class StoreValueError(StoreError):
    """A value the store cannot keep or give back exactly: an answer holding a value
    that cannot be read as its type says, or a number the engine would round (Virtuoso
    keeps decimals to 15 significant digits). The message names the engine and the
    query; nothing is planned on such a value, nothing of such a write is stored."""


class StoreNotEmpty(RegistryError, ValueError):
    """A restore into a store that already holds graphs, without asking to replace them;
    nothing was changed."""


class OssrError(InputError):
    """An OSSR input (a codemeta.json, a Zenodo record, an esap-executables.json)
    that cannot be read as one: not JSON-LD, an unknown CodeMeta context, no
    identifier to name the record by. The file is rejected; a batch goes on."""


class OssrUnavailable(RegistryError, RuntimeError):
    """The OSSR cannot be asked: Zenodo cannot be reached or does not answer in
    time, or the optional ``eossr`` library the online import needs is missing."""


class BrokerBusy(RegistryError, RuntimeError):
    """The broker interface holds as many open offer sets as it may (its cap): a new
    request is refused until offers expire.

    :param seconds: when to try again.
    """

    def __init__(self, message: str, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(message)


class BrokerConflict(RegistryError, ValueError):
    """A session update the session's phase does not allow (accepting an offer that
    expired, was rejected or whose sibling was accepted)."""


class BrokerUnreachable(RegistryError, RuntimeError):
    """Another ExecutionBroker (the ``broker`` client's ``--broker URL``) cannot be
    reached, or answers with an error or with something that is no ExecutionBroker
    answer."""
