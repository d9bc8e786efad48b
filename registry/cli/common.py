"""What the ``esap-registry`` commands share: the store options and opening the
registry, the output helpers, and the one place the registry's errors become
messages and exit codes.

Exit codes mean something, as in pySHACL: 0 all is well (the input conforms,
everything was stored), 1 it does not (a violation, malformed input, an
unknown uuid), 2 an error (a file that cannot be read, a store that cannot be
opened, a bad option).

The command modules of this package, and the commands kept with their own packages
(:mod:`registry.ossr.command`, :mod:`registry.broker.command`,
:mod:`registry.web.command`), import this module and nothing else of the CLI.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from registry.errors import InputError, NotFound, QueryError, RegistryError, StoreError, StoreNotEmpty, ValidationFailed
from registry.service import Registry
from registry.store import CREDENTIALS_FILE_ENV, STORE_ENV, UPDATE_URL_ENV, default_store_path, open_store
from registry.report import Issue

__all__ = [
    "DEFAULT_MAX_SIZE",
    "EXIT_ERROR",
    "EXIT_FAIL",
    "EXIT_OK",
    "SUMMARY_ABOVE",
    "SUMMARY_PATHS",
    "connect",
    "counts",
    "examples",
    "fail",
    "handle_errors",
    "issue_lines",
    "max_size_option",
    "open_registry",
    "store_option",
    "warnings_option",
]

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> NoReturn:
    """Print ``message`` on standard error, as the command's, and exit with ``code``."""
    click.echo(f"esap-registry: {message}", err=True)
    sys.exit(code)


def examples(*lines: str) -> str:
    """A command's ``--help`` epilog: examples, one a line, kept as written."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


#: Above this many lines of issues, ``--warnings`` defaults to a summary.
SUMMARY_ABOVE = 20
#: The paths a summary line names for each message.
SUMMARY_PATHS = 3

warnings_option = click.option(
    "--warnings",
    "warnings_mode",
    type=click.Choice(["all", "summary", "none"]),
    default=None,
    help=f"How issues are shown: every one, a summary (per message: how many, and the first "
    f"{SUMMARY_PATHS} paths), or no warnings (violations still shown). Default: all, or a summary "
    f"above {SUMMARY_ABOVE} lines.",
)


def _issue_line(issue: Issue) -> str:
    value = f" (value: {json.dumps(issue.value, ensure_ascii=False)})" if issue.value is not None else ""
    return f"{issue.severity.lower()}: {issue.where()}: {issue.message}{value}"


def issue_lines(issues: list[Issue], mode: str | None) -> list[str]:
    """The lines that tell ``issues`` (in their order) as ``--warnings`` asks: every one; a
    summary, one line per severity and message with its count and first paths; or
    without warnings. The default is every one up to :data:`SUMMARY_ABOVE` lines, else the summary."""
    shown = [i for i in issues if mode != "none" or i.severity != "Warning"]
    if mode == "all" or (mode != "summary" and len(shown) <= SUMMARY_ABOVE):
        return [_issue_line(i) for i in shown]
    groups: dict[tuple[str, str], list[Issue]] = {}
    for issue in shown:
        groups.setdefault((issue.severity, issue.message), []).append(issue)
    lines = []
    for (severity, message), found in groups.items():
        if len(found) == 1:
            lines.append(_issue_line(found[0]))
            continue
        named = found[:SUMMARY_PATHS]
        sources = {i.source for i in named}
        if len(sources) == 1 and None not in sources and all(i.path for i in named):
            first = f"{named[0].source}: " + ", ".join(str(i.path) for i in named)
        else:
            first = ", ".join(i.where() for i in named)
        more = f" and {len(found) - SUMMARY_PATHS:,} more" if len(found) > SUMMARY_PATHS else ""
        lines.append(f"{severity.lower()}: {message} ({len(found):,} times, at {first}{more})")
    return lines


def counts(errors: int, warnings: int) -> str:
    """The end of a command's final line: what it found, counted."""
    return f"{errors} error(s), {warnings} warning(s)"


def handle_errors(function: F) -> F:
    """Map the registry's errors to messages and exit codes (the only place that does)."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ValidationFailed as exc:
            click.echo(exc.report.to_text(), err=True)
            fail(str(exc), EXIT_FAIL)
        except (InputError, NotFound, QueryError, StoreNotEmpty) as exc:
            fail(str(exc), EXIT_FAIL)
        except StoreError as exc:
            fail(str(exc), EXIT_ERROR)
        except OSError as exc:
            fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "), EXIT_ERROR)
        except RegistryError as exc:
            fail(str(exc), EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta[f"esap-registry.{param.name}"] = value
    return value


def store_option(function: F) -> F:
    """``--store`` on every command that reads or writes the registry, with a remote
    store's ``--update-url`` and ``--credentials-file`` (kept in the context, read by
    :func:`connect`)."""
    function = click.option(
        "--credentials-file",
        envvar=CREDENTIALS_FILE_ENV,
        type=click.Path(path_type=Path, dir_okay=False),
        expose_value=False,
        callback=_remember,
        help="A remote store's credentials: user=/password= or token= lines "
        "(default: $ESAP_REGISTRY_STORE_USER, _PASSWORD or _TOKEN).",
    )(function)
    function = click.option(
        "--update-url",
        envvar=UPDATE_URL_ENV,
        expose_value=False,
        callback=_remember,
        metavar="URL",
        help="A remote store's SPARQL update endpoint, when it differs from --store (its query endpoint).",
    )(function)
    return click.option(
        "--store",
        "store_spec",
        envvar=STORE_ENV,
        default=None,
        metavar="PATH|memory|URL",
        help="The store: a directory (created if missing), 'memory', or a SPARQL 1.1 query endpoint "
        f"(http(s)://). Default: ${STORE_ENV}, else {default_store_path()}.",
    )(function)


def connect(store_spec: str | None) -> Registry:
    """The registry on the store that ``--store`` (and a remote store's options, see
    :func:`store_option`) name; the caller closes its store.

    :raises StoreError: when the store cannot be opened.
    """
    context = click.get_current_context(silent=True)
    meta = context.meta if context is not None else {}
    return Registry(
        open_store(
            store_spec,
            update_url=meta.get("esap-registry.update_url"),
            credentials_file=meta.get("esap-registry.credentials_file"),
        )
    )


@contextmanager
def open_registry(store_spec: str | None) -> Iterator[Registry]:
    """The registry of one command, built once on the store ``--store`` names (see
    :func:`connect`), its store closed when the block ends, as the store's own ``with``
    closes it.

    :raises StoreError: when the store cannot be opened.
    """
    registry = connect(store_spec)
    with registry.store:
        yield registry


#: The largest input file read by default (``--max-size``), as the web service's body limit is 10 MiB.
DEFAULT_MAX_SIZE = 64 * 1024 * 1024

max_size_option = click.option(
    "--max-size",
    "max_size",
    default=DEFAULT_MAX_SIZE,
    type=click.IntRange(1),
    show_default=True,
    metavar="BYTES",
    help="The largest file read; a larger one is refused unread, as malformed input.",
)
