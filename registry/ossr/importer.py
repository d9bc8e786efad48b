"""Importing the OSSR: saved files offline, or Zenodo online through ``eossr``.

Offline, the inputs are ``codemeta.json`` files and Zenodo record JSON files
(as the Zenodo API returns them). Beside an input, these companions are read
when they exist (``<base>`` is the input's name without ``codemeta.json``, or
without ``.json`` and with a dot: ``codemeta.json`` -> ``esap-executables.json``,
``agnpy.codemeta.json`` -> ``agnpy.esap-executables.json``,
``zenodo_4790629.json`` -> ``zenodo_4790629.esap-executables.json``):

* ``<base>esap-executables.json``: the seed-format list of the software's executables;
* for a Zenodo record, ``<base>codemeta.json``: the ``codemeta.json`` deposited
  with it, read into the same record (and not imported on its own).

Online, ``eossr`` (an optional dependency: ``pip install 'esap-registry[ossr]'``)
fetches records of the OSSR (the Zenodo community ``escape2020``), the
``codemeta.json`` of each, and an ``esap-executables.json`` among its files.

Every JSON input is read as strictly as a manifest (:func:`registry.readers.strict_json.read_json`),
and each record is stored through :meth:`registry.service.Registry.ingest`, whole or not at
all, with its executables, in one atomic step; executables the record provided before and
no longer does are removed in that same step. One bad input never stops a batch.
"""

from __future__ import annotations

import socket
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from rdflib import URIRef

from registry.errors import InputError, OssrError, OssrUnavailable, ValidationFailed
from registry.ossr import ossr_kind
from registry.ossr.records import EXECUTABLES_FILE, RecordDocuments, build_record
from registry.readers.model import Problem
from registry.readers.sniff import read_source
from registry.readers.strict_json import read_json
from registry.report import Report
from registry.service import BatchResult, Registry, find_files

__all__ = [
    "DEFAULT_TIMEOUT",
    "FetchedRecord",
    "OssrBatch",
    "OssrImporter",
    "StoredRecord",
    "companion",
    "fetch_records",
    "find_inputs",
]

#: Seconds to wait for Zenodo before giving up on a request.
DEFAULT_TIMEOUT = 30.0
_SUFFIXES = (".json", ".jsonld")
_CODEMETA = "codemeta.json"


def companion(path: Path, name: str) -> Path:
    """The companion file ``name`` (``esap-executables.json`` or ``codemeta.json``) of an input."""
    file = path.name
    if file.endswith(_CODEMETA):
        base = file[: -len(_CODEMETA)]
    else:
        base = (file[: -len(path.suffix)] if path.suffix else file) + "."
    return path.with_name(base + name)


def find_inputs(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the JSON files under directories named (sorted), less the
    ``esap-executables.json`` companions: :func:`registry.service.find_files` with the OSSR's endings."""
    return find_files(paths, suffixes=_SUFFIXES, exclude=lambda p: p.name.endswith(EXECUTABLES_FILE))


def _kind(tree: Any, source: str) -> str:
    """``zenodo`` or ``codemeta``, as :func:`registry.ossr.ossr_kind` tells.

    :raises OssrError: when the document is neither.
    """
    kind = ossr_kind(tree)
    if kind is not None:
        return kind
    raise OssrError(
        "neither a codemeta.json (JSON-LD with a CodeMeta @context) nor a Zenodo record (id, doi, metadata)",
        source=source,
        json_path="$",
    )


@dataclass
class StoredRecord:
    """What storing one record did."""

    record: URIRef
    executables: list[URIRef]
    derived: str | None
    replaced: bool
    removed: list[URIRef]
    report: Report


@dataclass
class OssrBatch(BatchResult):
    """What an import did: each record is stored whole or not at all. Its ``files`` are
    its inputs (files, or records fetched), its ``replaced`` the records replaced."""

    from_file: int = 0
    from_keywords: int = 0

    @property
    def inputs(self) -> int:
        """How many inputs there were: files, or records fetched."""
        return self.files

    @property
    def warnings(self) -> int:
        """How many warnings the stored records had."""
        return sum(1 for i in self.issues if i.severity == "Warning")

    @property
    def rate(self) -> float:
        """Records stored per second."""
        return self.records / self.seconds if self.seconds else 0.0

    def add_record(self, stored: StoredRecord) -> None:
        """Count one stored record."""
        self.stored_files += 1
        self.records += 1
        self.replaced += int(stored.replaced)
        self.executables += len(stored.executables)
        if stored.derived == EXECUTABLES_FILE:
            self.from_file += len(stored.executables)
        elif stored.derived == "keywords":
            self.from_keywords += len(stored.executables)
        self.removed += len(stored.removed)
        self.issues.extend(i for i in stored.report.issues if i.severity != "Violation")

    def summary(self) -> str:
        """One paragraph for people: records, executables derived, warnings, rejections, rate."""
        text = (
            f"{self.records} of {self.inputs} record(s) stored ({self.replaced} replaced): "
            f"{self.executables} executable(s) derived ({self.from_file} from {EXECUTABLES_FILE}, "
            f"{self.from_keywords} by the jupyter-notebook keyword)"
        )
        if self.removed:
            text += f", {self.removed} no longer provided removed"
        text += f"; {self.warnings} warning(s)"
        if self.rejected:
            text += f"; {len(self.rejected)} input(s) rejected, nothing of them stored"
        return text + f"; {self.seconds:.2f} s ({self.rate:.1f} records/s)"


@dataclass
class FetchedRecord:
    """A record fetched from Zenodo, with the codemeta.json and esap-executables.json deposited with it."""

    source: str
    zenodo: dict[str, Any]
    codemeta: Any = None
    executables: Any = None
    notes: list[Problem] = field(default_factory=list)
    error: InputError | None = None


class OssrImporter:
    """Imports software records into a registry.

    :param registry: the registry to store them in.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    # -- one record ----------------------------------------------------------

    def store(self, built: RecordDocuments) -> StoredRecord:
        """Validate a record and its executables and store them in one atomic step, through
        the registry's write path (:meth:`registry.service.Registry.ingest`), which also
        removes the executables the record no longer provides.

        :raises ValidationFailed: when any of them has a violation; nothing is stored.
        :raises StoreError: when the store fails; nothing is stored.
        """
        result = self.registry.ingest(built.documents)
        return StoredRecord(
            record=built.record,
            executables=built.executables,
            derived=built.derived if built.executables else None,
            replaced=built.record in result.replaced_records,
            removed=result.removed,
            report=result.report,
        )

    # -- offline ---------------------------------------------------------------

    def import_files(self, paths: Sequence[Path], *, progress: Callable[[str], None] | None = None) -> OssrBatch:
        """Import saved codemeta.json files and Zenodo record JSON files (and their companions).

        :param paths: the input files (see :func:`find_inputs` for directories).
        :param progress: called after each input, with its name.
        """
        batch = OssrBatch()
        started = time.perf_counter()
        parsed: dict[Path, Any] = {}
        errors: dict[Path, Exception] = {}
        for path in paths:
            try:
                parsed[path] = read_json(read_source(path), str(path))
            except (InputError, OSError) as exc:
                errors[path] = exc
        consumed = {
            companion(p, _CODEMETA).resolve()
            for p, tree in parsed.items()
            if ossr_kind(tree) == "zenodo" and companion(p, _CODEMETA).is_file()
        }
        for path in paths:
            if path.resolve() in consumed and path.name.endswith(_CODEMETA):
                continue
            batch.files += 1
            try:
                if path in errors:
                    raise errors[path]
                built = self._build_file(path, parsed[path])
                stored = self.store(built)
            except ValidationFailed as exc:
                batch.rejected[str(path)] = str(exc)
                batch.issues.extend(exc.report.issues)
            except (InputError, OSError) as exc:
                batch.rejected[str(path)] = _reason(exc, path)
            else:
                batch.add_record(stored)
            if progress:
                progress(str(path))
        batch.seconds = time.perf_counter() - started
        return batch

    def _build_file(self, path: Path, tree: Any) -> RecordDocuments:
        source = str(path)
        kind = _kind(tree, source)
        seed_path = companion(path, EXECUTABLES_FILE)
        seed = read_json(read_source(seed_path), str(seed_path)) if seed_path.is_file() else None
        if kind == "zenodo":
            codemeta_path = companion(path, _CODEMETA)
            codemeta = read_json(read_source(codemeta_path), str(codemeta_path)) if codemeta_path.is_file() else None
            return build_record(
                source=source,
                zenodo=tree,
                codemeta=codemeta,
                executables=seed,
                executables_source=str(seed_path),
                vocabulary=self.registry.vocabulary,
            )
        return build_record(
            source=source, codemeta=tree, executables=seed, executables_source=str(seed_path), vocabulary=self.registry.vocabulary
        )

    # -- online ------------------------------------------------------------------

    def import_fetched(
        self, records: Iterable[FetchedRecord | OssrError], *, progress: Callable[[str], None] | None = None
    ) -> OssrBatch:
        """Import records fetched from Zenodo (see :func:`fetch_records`); a record that
        could not be fetched (an :class:`OssrError` in the stream) is counted as rejected.

        :raises OssrUnavailable: when Zenodo cannot be reached; what was stored before stays.
        """
        batch = OssrBatch()
        started = time.perf_counter()
        for item in records:
            batch.files += 1
            name = (item.source or "<zenodo>") if isinstance(item, OssrError) else item.source
            try:
                if isinstance(item, OssrError):
                    raise item
                if item.error is not None:
                    raise item.error
                stored = self.store(
                    build_record(
                        source=item.source,
                        zenodo=item.zenodo,
                        codemeta=item.codemeta,
                        executables=item.executables,
                        executables_source=f"{item.source} ({EXECUTABLES_FILE})",
                        notes=item.notes,
                        vocabulary=self.registry.vocabulary,
                    )
                )
            except ValidationFailed as exc:
                batch.rejected[name] = str(exc)
                batch.issues.extend(exc.report.issues)
            except InputError as exc:
                batch.rejected[name] = str(exc)
            else:
                batch.add_record(stored)
            if progress:
                progress(name)
        batch.seconds = time.perf_counter() - started
        return batch


def _reason(exc: Exception, path: Path) -> str:
    if isinstance(exc, InputError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"{exc.filename or path}: {exc.strerror or exc}"
    return str(exc)


# -- Zenodo through eossr ------------------------------------------------------------


def _eossr() -> tuple[Any, Any, type[Exception]]:
    """The eossr modules the online import uses, imported only when asked for.

    :raises OssrUnavailable: when eossr is not installed.
    """
    try:
        from eossr.api import ossr as eossr_ossr  # noqa: PLC0415 - optional dependency, imported on use
        from eossr.api.zenodo import http_status  # noqa: PLC0415
        from eossr.api.zenodo import zenodo as eossr_zenodo
    except ImportError as exc:
        raise OssrUnavailable(
            "the online import needs the eossr library, which is not installed: "
            "pip install 'esap-registry[ossr]' (or import saved Zenodo record JSON and codemeta.json files instead)"
        ) from exc
    return eossr_ossr, eossr_zenodo, http_status.HTTPStatusError


@contextmanager
def _timeouts(eossr_zenodo: Any, seconds: float) -> Iterator[None]:
    """Bound every request eossr makes: its requests calls read the module's
    ``_default_timeout``; its ``urlopen`` calls use the socket default."""
    previous_socket = socket.getdefaulttimeout()
    previous_eossr = getattr(eossr_zenodo, "_default_timeout", None)
    socket.setdefaulttimeout(seconds)
    if previous_eossr is not None:
        eossr_zenodo._default_timeout = seconds
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous_socket)
        if previous_eossr is not None:
            eossr_zenodo._default_timeout = previous_eossr


def _unreachable(exc: BaseException, what: str) -> OssrUnavailable:
    return OssrUnavailable(
        f"Zenodo cannot be reached ({what}): {exc}. Check the network, or import saved record JSON files offline"
    )


def fetch_records(
    record_ids: Sequence[str] = (), *, all_records: bool = False, timeout: float = DEFAULT_TIMEOUT
) -> tuple[int, Iterator[FetchedRecord | OssrError]]:
    """Fetch OSSR records from Zenodo through eossr: those asked for, or every one.

    :returns: how many records there are, and an iterator over them: each a
        :class:`FetchedRecord`, or an :class:`OssrError` for a record Zenodo refused.
    :raises OssrUnavailable: when eossr is missing or Zenodo cannot be reached
        (also while iterating).
    """
    eossr_ossr, eossr_zenodo, http_error = _eossr()
    if all_records:
        with _timeouts(eossr_zenodo, timeout):
            try:
                listed = list(eossr_ossr.get_ossr_records())
            except (OSError, http_error) as exc:
                raise _unreachable(exc, "listing the OSSR records") from exc
        return len(listed), (_complete(eossr_zenodo, http_error, r, timeout) for r in listed)
    return len(record_ids), _by_id(eossr_zenodo, http_error, record_ids, timeout)


def _by_id(eossr_zenodo: Any, http_error: type[Exception], ids: Sequence[str], timeout: float) -> Iterator[FetchedRecord | OssrError]:
    for record_id in ids:
        with _timeouts(eossr_zenodo, timeout):
            try:
                record = eossr_zenodo.get_record(record_id)
            except http_error as exc:
                yield OssrError(f"Zenodo refused record {record_id}: {exc}", source=f"zenodo:{record_id}")
                continue
            except OSError as exc:  # requests' errors are OSErrors too
                raise _unreachable(exc, f"record {record_id}") from exc
            except ValueError as exc:
                yield OssrError(f"record {record_id} is not a Zenodo record: {exc}", source=f"zenodo:{record_id}")
                continue
        yield _complete(eossr_zenodo, http_error, record, timeout)


def _complete(eossr_zenodo: Any, http_error: type[Exception], record: Any, timeout: float) -> FetchedRecord:
    """The record with its codemeta.json and esap-executables.json, when it has them.

    :raises OssrUnavailable: when Zenodo cannot be reached.
    """
    data = record.data
    source = f"zenodo:{data.get('id')}"
    fetched = FetchedRecord(source=source, zenodo=data)
    with _timeouts(eossr_zenodo, timeout):
        try:
            fetched.codemeta = record.get_codemeta()
        except FileNotFoundError:
            fetched.notes.append(Problem("the record has no codemeta.json: only Zenodo's metadata is imported", "files", None, "Warning"))
        except OSError as exc:
            raise _unreachable(exc, f"the codemeta.json of {source}") from exc
        except (http_error, ValueError, KeyError, zipfile.BadZipFile) as exc:
            fetched.notes.append(Problem(f"the record's codemeta.json cannot be read: {exc}", "files", None, "Warning"))
        for item in data.get("files", []) if isinstance(data.get("files"), list) else []:
            key = item.get("key") if isinstance(item, dict) else None
            link = (item.get("links") or {}).get("self") if isinstance(item, dict) else None
            if key == EXECUTABLES_FILE and isinstance(link, str):
                try:
                    with urlopen(link, timeout=timeout) as response:  # noqa: S310 - a Zenodo file URL
                        fetched.executables = read_json(response.read(), f"{source}/{EXECUTABLES_FILE}")
                except OSError as exc:
                    raise _unreachable(exc, f"the {EXECUTABLES_FILE} of {source}") from exc
                except InputError as exc:
                    fetched.error = exc
    return fetched
