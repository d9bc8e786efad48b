"""Reading an IVOA ExecutionRequest, and the two-way mapping between a request and
the registry's manifest of one executable.

A request becomes the planner's input as a one-executable manifest (the plain
JSON of the seed data model), read by the project's own manifest reader:

============================================  =============================================
ExecutionRequest                              manifest (``executables[0]``)
============================================  =============================================
``executable.kind``                           ``type`` (the aligned executable-type URN)
``executable.meta.name`` / ``description``    ``title`` / ``description``
``executable.location`` (a notebook URL)      ``location`` {repository, ref, path}
``compute.cores{min,max}``                    ``compute-resources[0].mincores`` / ``maxcores``
``compute.memory{min,max}`` (GiB)             ``compute-resources[0].minmemory`` / ``maxmemory``
``schedule.requested.duration`` (ISO 8601)    ``compute-resources[0].walltime`` (hours)
``storage[].size{min,max}`` (GiB)             ``storage-resources[].minsize`` / ``maxsize``
``data[]`` with a size (``skao.datasize``)    ``data-resources[]`` with ``size``
============================================  =============================================

Everything else a request holds (a container image, volumes, a start interval, costs,
metrics, data without a size) cannot be held by a manifest: it is listed in
:attr:`BrokerRequest.notes`, echoed in the offers, never dropped silently. Kinds the
vocabulary does not align (:class:`~registry.broker.kinds.KindMap`) are listed in
:attr:`BrokerRequest.unknown` and make the answer NO.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import yaml

from registry.broker.kinds import COMPUTE_KIND, DATA_KIND, STORAGE_KIND, KindMap
from registry.errors import InputError, UnitError
from registry.readers import Document, load_document
from registry.units import parse_count, parse_data_size, parse_duration

__all__ = ["MAX_DEPTH", "BrokerRequest", "is_execution_request", "parse_body", "read_request", "request_document", "request_from_manifest"]

#: How deeply a request may nest (as documents do).
MAX_DEPTH = 32
#: The top-level keys of an ExecutionRequest.
_TOP_KEYS = {"kind", "meta", "executable", "compute", "storage", "data", "schedule", "costs", "metrics"}


# -- the body ----------------------------------------------------------------------


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors and aliases (a few aliases can stand for
    a tree far larger than the text: a request never needs them)."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401 - PyYAML's own signature
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not read in a request", event.start_mark)
        return super().compose_node(parent, index)


def parse_body(data: bytes | str, fmt: str | None, source: str = "<request>") -> dict[str, Any]:
    """The request as a JSON tree, from JSON or YAML.

    :param fmt: ``json`` or ``yaml``; ``None`` guesses (JSON when it starts with ``{``).
    :raises InputError: when the body is not UTF-8, not well-formed, too deeply nested
        or not an object (with the line and column, or the JSON path).
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"the body is not UTF-8 (byte {exc.start})", source=source) from exc
    else:
        text = data
    text = text.removeprefix("\ufeff")
    if fmt is None:
        fmt = "json" if text.lstrip().startswith("{") else "yaml"
    if fmt == "json":
        try:
            tree = json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise InputError(f"not well-formed JSON: {exc.msg}", source=source, line=exc.lineno, column=exc.colno) from exc
        except RecursionError as exc:
            raise InputError(f"the request nests more than {MAX_DEPTH} levels", source=source) from exc
        except ValueError as exc:
            raise InputError(str(exc), source=source) from exc
    else:
        try:
            tree = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
            raise InputError(f"not well-formed YAML: {exc.problem or exc.context}", source=source, line=line, column=column) from exc
        except yaml.YAMLError as exc:
            raise InputError(f"not well-formed YAML: {exc}", source=source) from exc
        except RecursionError as exc:
            raise InputError(f"the request nests more than {MAX_DEPTH} levels", source=source) from exc
    if not isinstance(tree, dict):
        raise InputError("an ExecutionRequest is an object (a mapping of keys to values)", source=source)
    return _plain(tree, "", source, 0)  # type: ignore[return-value]


def _no_constant(name: str) -> Any:  # noqa: ANN401
    raise ValueError(f"{name} is not a JSON number")


def _plain(node: Any, path: str, source: str, depth: int) -> Any:  # noqa: ANN401
    """The tree with YAML's dates written back as ISO 8601 text and keys as strings,
    refusing deep nesting and values JSON cannot hold."""
    if depth > MAX_DEPTH:
        raise InputError(f"the request nests more than {MAX_DEPTH} levels", source=source, json_path=path or None)
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if not isinstance(key, str):
                raise InputError(f"a key must be text, not {key!r}", source=source, json_path=path or None)
            out[key] = _plain(value, f"{path}.{key}" if path else key, source, depth + 1)
        return out
    if isinstance(node, list):
        return [_plain(v, f"{path}[{i}]", source, depth + 1) for i, v in enumerate(node)]
    if isinstance(node, (datetime, date)):
        return node.isoformat()
    if isinstance(node, float) and not math.isfinite(node):
        raise InputError("a number must be finite", source=source, json_path=path or None)
    if node is None or isinstance(node, (str, int, float, bool)):
        return node
    raise InputError(f"a value of a kind JSON cannot hold ({type(node).__name__})", source=source, json_path=path or None)


# -- the request -------------------------------------------------------------------


@dataclass
class BrokerRequest:
    """An ExecutionRequest as the registry reads it.

    :param tree: the request as sent (a JSON tree).
    :param kind: the executable's kind URI (as sent); ``None`` when it names none.
    :param type: the executable-type URN the kind is aligned to; ``None`` when unknown.
    :param title: the executable's name (``meta.name``), or one made from the kind.
    :param cores: (min, max) cores, either may be None; ``None`` when not asked.
    :param memory: (min, max) GiB, as ``cores``.
    :param storage: (min, max) GiB of each storage resource.
    :param hours: the requested duration in hours.
    :param data: the data resources the planner can read, as manifest entries.
    :param unknown: what the registry cannot read (unknown kinds, no executable): a
        request with any is answered NO with these messages.
    :param notes: what the request holds that a manifest cannot: echoed in the offers,
        reported as messages.
    """

    tree: dict[str, Any]
    kind: str | None = None
    type: str | None = None
    title: str = "executable"
    description: str | None = None
    location: dict[str, str] | None = None
    cores: tuple[int | None, int | None] | None = None
    memory: tuple[int | None, int | None] | None = None
    storage: list[tuple[int | None, int | None]] = field(default_factory=list)
    hours: Decimal | None = None
    data: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def manifest(self, uuid: str) -> dict[str, Any]:
        """The one-executable manifest the planner reads (the plain JSON of the seed model).

        :raises InputError: when the request names no executable the registry knows.
        """
        if self.type is None:
            raise InputError("the request names no executable kind the registry knows")
        entry: dict[str, Any] = {"uuid": uuid, "type": self.type, "title": self.title}
        if self.description:
            entry["description"] = self.description
        if self.location:
            entry["location"] = dict(self.location)
        compute: dict[str, Any] = {}
        if self.cores is not None:
            if self.cores[0] is not None:
                compute["mincores"] = self.cores[0]
            if self.cores[1] is not None:
                compute["maxcores"] = self.cores[1]
        if self.memory is not None:
            if self.memory[0] is not None:
                compute["minmemory"] = self.memory[0]
            if self.memory[1] is not None:
                compute["maxmemory"] = self.memory[1]
        if self.hours is not None:
            compute["walltime"] = _json_number(self.hours)
        if compute:
            entry["compute-resources"] = [compute]
        storage = []
        for low, high in self.storage:
            item: dict[str, Any] = {"minsize": low if low is not None else 0}
            if high is not None:
                item["maxsize"] = high
            storage.append(item)
        if storage:
            entry["storage-resources"] = storage
        if self.data:
            entry["data-resources"] = [dict(d) for d in self.data]
        return {"executables": [entry]}


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _object(value: Any, path: str, what: str, source: str) -> dict[str, Any]:  # noqa: ANN401
    if not isinstance(value, dict):
        raise InputError(f"{what} must be an object", source=source, json_path=path)
    return value


def _list(value: Any, path: str, what: str, source: str) -> list[Any]:  # noqa: ANN401
    if not isinstance(value, list):
        raise InputError(f"{what} must be a list", source=source, json_path=path)
    return value


def _text(value: Any, path: str, what: str, source: str) -> str:  # noqa: ANN401
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{what} must be non-empty text", source=source, json_path=path)
    return value.strip()


def _kind(component: dict[str, Any], path: str, source: str) -> str:
    if "kind" not in component:
        raise InputError("every component needs its kind (a URI)", source=source, json_path=f"{path}.kind")
    return _text(component["kind"], f"{path}.kind", "kind", source)


def _range(value: Any, path: str, what: str, source: str) -> tuple[int | None, int | None]:  # noqa: ANN401
    """A ``{min, max}`` pair of whole non-negative numbers (either may be left out)."""
    block = _object(value, path, what, source)
    pair: list[int | None] = []
    for end in ("min", "max"):
        number = block.get(end)
        if number is None:
            pair.append(None)
            continue
        if isinstance(number, bool) or not isinstance(number, int):
            raise InputError(f"{what} {end} must be a whole number, not {json.dumps(number)}", source=source, json_path=f"{path}.{end}")
        if number < 0:
            raise InputError(f"{what} {end} must not be negative", source=source, json_path=f"{path}.{end}")
        if number > 10**15:
            raise InputError(f"{what} {end} is larger than the largest the registry reads (1e+15)", source=source, json_path=f"{path}.{end}")
        pair.append(number)
    low, high = pair
    if low is not None and high is not None and low > high:
        raise InputError(f"{what} min ({low}) is larger than its max ({high})", source=source, json_path=path)
    return low, high


_DURATION = re.compile(r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def read_duration(text: str, path: str, source: str = "<request>") -> Decimal:
    """An ISO 8601 duration (``PT1H``, ``P1DT12H``, ``PT90M``) in hours.

    :raises InputError: when it is not one, or counts years or months (which have no
        fixed length).
    """
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InputError(f"not an ISO 8601 duration such as PT1H: {json.dumps(text)}", source=source, json_path=path)
    years, months, weeks, days, hours, minutes, seconds = match.groups()
    if years or months:
        raise InputError("a duration in years or months has no fixed length: give days, hours or minutes", source=source, json_path=path)
    total = Decimal(0)
    for value, scale in ((weeks, 168), (days, 24), (hours, 1), (minutes, Decimal(1) / 60), (seconds, Decimal(1) / 3600)):
        if value:
            total += Decimal(value) * scale
    return total.quantize(Decimal("0.000000001")).normalize() if total != total.to_integral_value() else total.quantize(Decimal(1))


def write_duration(hours: Decimal) -> str:
    """Hours as an ISO 8601 duration: ``PT1H``, ``PT1H30M``, ``PT45S``."""
    seconds = int((hours * 3600).to_integral_value())
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    out = "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s else "")
    return out if out != "PT" else "PT0S"


def _git_location(url: str) -> dict[str, str]:
    """A notebook URL as a manifest location: a GitHub or GitLab ``blob`` URL gives the
    repository, ref and path; any other URL is the repository itself."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    base = f"{parts.scheme}://{parts.netloc}"
    if "-" in segments and len(segments) > segments.index("-") + 2 and segments[segments.index("-") + 1] == "blob":
        i = segments.index("-")
        return {"repository": f"{base}/{'/'.join(segments[:i])}", "ref": segments[i + 2], "path": "/".join(segments[i + 3 :])}
    if len(segments) >= 5 and segments[2] == "blob":
        return {"repository": f"{base}/{segments[0]}/{segments[1]}", "ref": segments[3], "path": "/".join(segments[4:])}
    return {"repository": url}


def read_request(tree: dict[str, Any], kinds: KindMap, source: str = "<request>") -> BrokerRequest:
    """Read an ExecutionRequest (liberally: the drafts' kind URIs, a ``.yaml`` ending or
    not, keys the registry does not use are noted, not refused).

    :raises InputError: when a component is not an object, has no kind, or a value has
        the wrong type (a cores ``min`` that is no whole number, a malformed duration),
        naming its JSON path.
    """
    request = BrokerRequest(tree=tree)
    for key in tree:
        if key not in _TOP_KEYS:
            request.notes.append(f"{key}: not part of an ExecutionRequest; not read")
    _read_executable(request, tree.get("executable"), kinds, source)
    if tree.get("compute") is not None:
        compute = _object(tree["compute"], "compute", "compute", source)
        kind = _kind(compute, "compute", source)
        role = kinds.read(kind)
        if role is None or role[0] != "compute":
            request.unknown.append(f"compute.kind {kind} is not a compute kind the registry knows ({', '.join(kinds.known('compute'))})")
        else:
            if compute.get("cores") is not None:
                request.cores = _range(compute["cores"], "compute.cores", "cores", source)
            if compute.get("memory") is not None:
                request.memory = _range(compute["memory"], "compute.memory", "memory", source)
            for key in compute:
                if key not in ("kind", "meta", "cores", "memory", "volumes"):
                    request.notes.append(f"compute.{key}: not part of a simple compute resource; not read")
            if compute.get("volumes"):
                volumes = _list(compute["volumes"], "compute.volumes", "volumes", source)
                for i, volume in enumerate(volumes):
                    _object(volume, f"compute.volumes[{i}]", "a volume", source)
                request.notes.append(f"compute.volumes: {len(volumes)} volume mount(s) echoed in each offer; the registry plans no mounts")
    for i, item in enumerate(_list(tree.get("storage") or [], "storage", "storage", source)):
        path = f"storage[{i}]"
        storage = _object(item, path, "a storage resource", source)
        kind = _kind(storage, path, source)
        role = kinds.read(kind)
        if role is None or role[0] != "storage":
            request.unknown.append(f"{path}.kind {kind} is not a storage kind the registry knows ({', '.join(kinds.known('storage'))})")
            continue
        request.storage.append(_range(storage["size"], f"{path}.size", "size", source) if storage.get("size") is not None else (0, None))
    for i, item in enumerate(_list(tree.get("data") or [], "data", "data", source)):
        _read_data(request, item, f"data[{i}]", kinds, source)
    if tree.get("schedule") is not None:
        schedule = _object(tree["schedule"], "schedule", "schedule", source)
        requested = _object(schedule.get("requested") or {}, "schedule.requested", "schedule.requested", source)
        if requested.get("duration") is not None:
            request.hours = read_duration(requested["duration"], "schedule.requested.duration", source)
        if requested.get("start") is not None:
            start = _text(requested["start"], "schedule.requested.start", "the start interval", source)
            request.notes.append(f"schedule.requested.start {start}: the registry plans no start time; an offer can start at any time")
    for key in ("costs", "metrics"):
        items = _list(tree.get(key) or [], key, key, source)
        if items:
            request.notes.append(f"{key}: {len(items)} item(s) not planned (the registry knows no {key[:-1]}s of platforms)")
    return request


def _read_executable(request: BrokerRequest, value: Any, kinds: KindMap, source: str) -> None:  # noqa: ANN401
    if value is None:
        request.unknown.append(f"the request names no executable (give one of the kinds {', '.join(kinds.known('executable'))})")
        return
    executable = _object(value, "executable", "executable", source)
    kind = _kind(executable, "executable", source)
    request.kind = kind
    role = kinds.read(kind)
    if role is None or role[0] != "executable":
        request.unknown.append(f"executable.kind {kind} is not an executable kind the registry knows ({', '.join(kinds.known('executable'))})")
        return
    request.type = role[1]
    meta = _object(executable.get("meta") or {}, "executable.meta", "meta", source)
    name = meta.get("name")
    label = kinds.labels.get(role[1], role[1])
    request.title = _text(name, "executable.meta.name", "meta.name", source) if name is not None else f"{label} of an ExecutionRequest"
    if meta.get("description") is not None:
        request.description = _text(meta["description"], "executable.meta.description", "meta.description", source)
    if executable.get("location") is not None:
        location = _text(executable["location"], "executable.location", "location", source)
        if urlsplit(location).scheme in ("http", "https"):
            request.location = _git_location(location)
        else:
            request.notes.append(f"executable.location {location}: not a URL; echoed, not planned")
    if executable.get("image") is not None:
        image = _object(executable["image"], "executable.image", "image", source)
        if image.get("locations") is not None:
            for i, item in enumerate(_list(image["locations"], "executable.image.locations", "locations", source)):
                _text(item, f"executable.image.locations[{i}]", "an image location", source)
        if image.get("digest") is not None:
            _text(image["digest"], "executable.image.digest", "digest", source)
        request.notes.append("executable.image: the container image is echoed in each offer; a manifest holds no image")
    for key in ("command", "entrypoint", "environment", "network", "privileged"):
        if executable.get(key) is not None:
            request.notes.append(f"executable.{key}: echoed in each offer; a manifest cannot hold it")


def _read_data(request: BrokerRequest, item: Any, path: str, kinds: KindMap, source: str) -> None:  # noqa: ANN401
    data = _object(item, path, "a data resource", source)
    kind = _kind(data, path, source)
    role = kinds.read(kind)
    if role is None or role[0] != "data":
        request.unknown.append(f"{path}.kind {kind} is not a data kind the registry knows ({', '.join(kinds.known('data'))})")
        return
    meta = _object(data.get("meta") or {}, f"{path}.meta", "meta", source)
    entry: dict[str, Any] = {}
    if isinstance(meta.get("name"), str) and meta["name"].strip():
        entry["title"] = meta["name"].strip()
    location = data.get("location")
    if isinstance(location, str) and urlsplit(location).scheme in ("http", "https"):
        entry["url"] = location
    size: int | None = None
    skao = data.get("skao")
    if skao is not None:
        skao = _object(skao, f"{path}.skao", "skao", source)
        if skao.get("datasize") is not None:
            size = _bytes(skao["datasize"], f"{path}.skao.datasize", source)
    ivoa = data.get("ivoa")
    if ivoa is not None:
        ivoa = _object(ivoa, f"{path}.ivoa", "ivoa", source)
        obscore = _object(ivoa.get("obscore") or {}, f"{path}.ivoa.obscore", "obscore", source)
        datalink = _object(ivoa.get("datalink") or {}, f"{path}.ivoa.datalink", "datalink", source)
        product = obscore.get("dataproduct_type")
        if isinstance(product, str) and product.strip():
            content = kinds.data_term("product-type", product)
            if content:
                entry["data-content"] = content
            else:
                request.notes.append(f"{path}.ivoa.obscore.dataproduct_type {product}: no data content of the registry is aligned to it; not planned")
        for key, block in (("access_format", obscore), ("content_type", datalink)):
            media = block.get(key)
            if isinstance(media, str) and media.strip() and "data-format" not in entry:
                found = kinds.data_term("media-type", media)
                if found:
                    entry["data-format"] = found
                else:
                    request.notes.append(f"{path}.ivoa: the media type {media} is no data format the registry knows; not planned")
        if size is None and datalink.get("content_length") is not None:
            size = _bytes(datalink["content_length"], f"{path}.ivoa.datalink.content_length", source)
    if size is not None:
        entry["size"] = f"{size}B"
    if not ({"size", "data-content", "data-format"} & set(entry)):
        request.notes.append(f"{path}: no size, content or format the registry can read; carried along in each offer, not planned")
        return
    request.data.append(entry)


def _bytes(value: Any, path: str, source: str) -> int:  # noqa: ANN401
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError("a size must be a whole number of bytes", source=source, json_path=path)
    return value


def is_execution_request(tree: Any) -> bool:  # noqa: ANN401
    """Whether a JSON tree is an ExecutionRequest rather than a manifest (it has an
    ``executable`` and no ``executables`` or ``platforms`` list, nor a JSON-LD context)."""
    return isinstance(tree, dict) and "executable" in tree and not ({"executables", "platforms", "@context", "@graph"} & set(tree))


def request_document(request: BrokerRequest, uuid: str, source: str = "<ExecutionRequest>", vocabulary: Any = None) -> Document:  # noqa: ANN401
    """The request as a document of one executable, read by the manifest reader (not
    yet validated).

    :raises InputError: when the request names no executable kind the registry knows,
        or what it asks for is unknown (the kinds listed in :attr:`BrokerRequest.unknown`).
    """
    if request.unknown:
        raise InputError("; ".join(request.unknown), source=source)
    return load_document(json.dumps(request.manifest(uuid)), source=source, format="json", vocabulary=vocabulary)


# -- the other way: a registered executable as a request ------------------------------


def request_from_manifest(entry: dict[str, Any], kinds: KindMap, broader: list[str]) -> tuple[dict[str, Any], list[str]]:
    """One executable of a manifest as an ExecutionRequest, and what it could not say.

    :param entry: the executable as the manifest gives it (``export --format json``).
    :param broader: its type and the types broader than it, nearest first: the kind is
        the first of them the broker knows.
    :raises InputError: when no ExecutionBroker kind stands for its type.
    """
    notes: list[str] = []
    kind = next((k for k in (kinds.kind_of_type(t) for t in broader) if k), None)
    if kind is None:
        raise InputError(f"{entry.get('type')} has no ExecutionBroker executable kind (the broker knows {', '.join(kinds.known('executable'))})")
    if broader and kinds.kind_of_type(broader[0]) is None:
        notes.append(f"type {broader[0]} written as the broader kind {kind}")
    executable: dict[str, Any] = {"kind": kind, "meta": {"name": entry.get("title") or entry["uuid"]}}
    if entry.get("description"):
        executable["meta"]["description"] = entry["description"]
    location = entry.get("location") or {}
    repository = location.get("repository")
    if repository and kind.endswith("/docker-container.yaml"):
        notes.append(f"location: a Docker container is named by its image, which the manifest does not give; the repository {repository} is not written")
    elif repository:
        if location.get("path") and urlsplit(repository).netloc in ("github.com", "gitlab.com"):
            separator = "/-/blob/" if urlsplit(repository).netloc == "gitlab.com" else "/blob/"
            executable["location"] = f"{repository.rstrip('/').removesuffix('.git')}{separator}{location.get('ref', 'HEAD')}/{location['path']}"
        else:
            executable["location"] = repository
            if location.get("ref") or location.get("path"):
                notes.append("location: ref and path are not part of a notebook URL outside GitHub and GitLab; the repository is given")
    request: dict[str, Any] = {"executable": executable}
    computes = entry.get("compute-resources") or []
    if len(computes) > 1:
        notes.append(f"compute-resources: {len(computes)} requirements; a request holds one, the first is written")
    if computes:
        first = computes[0]
        compute: dict[str, Any] = {"kind": COMPUTE_KIND}
        cores = {k: parse_count(first[key]) for k, key in (("min", "mincores"), ("max", "maxcores")) if first.get(key) is not None}
        if cores:
            compute["cores"] = cores
        memory = _gib_range(first, "minmemory", "maxmemory", "compute-resources[0]", notes)
        if memory:
            compute["memory"] = memory
        request["compute"] = compute
        for key in ("nodes", "maxnodes"):
            if first.get(key) is not None:
                notes.append(f"compute-resources[0].{key}: a request has no nodes; cores and memory are totals")
        if first.get("walltime") is not None:
            request["schedule"] = {"requested": {"duration": write_duration(parse_duration(first["walltime"]))}}
    storage = []
    for i, item in enumerate(entry.get("storage-resources") or []):
        size = _gib_range(item, "minsize", "maxsize", f"storage-resources[{i}]", notes)
        storage.append({"kind": STORAGE_KIND, **({"size": size} if size else {})})
    if storage:
        request["storage"] = storage
    data = []
    for i, item in enumerate(entry.get("data-resources") or []):
        resource: dict[str, Any] = {"kind": DATA_KIND}
        if item.get("title"):
            resource["meta"] = {"name": item["title"]}
        if item.get("url"):
            resource["location"] = item["url"]
        lost = [k for k in ("data-content", "data-format", "size", "maxsize") if item.get(k) is not None]
        if lost:
            notes.append(f"data-resources[{i}]: {', '.join(lost)} cannot be said by a simple data resource")
        data.append(resource)
    if data:
        request["data"] = data
    return request, notes


def _gib_range(item: dict[str, Any], low_key: str, high_key: str, path: str, notes: list[str]) -> dict[str, int]:
    """A manifest's size range as whole GiB (the minimum rounded up, the maximum down)."""
    out: dict[str, int] = {}
    for end, key, rounding in (("min", low_key, math.ceil), ("max", high_key, math.floor)):
        if item.get(key) is None:
            continue
        try:
            value = parse_data_size(item[key])
        except UnitError as exc:
            raise InputError(f"{path}.{key}: {exc}") from exc
        whole = int(rounding(value))
        if whole != value:
            notes.append(f"{path}.{key} {item[key]} written as {whole} GiB (a request counts whole GiB)")
        out[end] = whole
    return out
