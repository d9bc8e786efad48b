"""Offer sets and execution sessions: the registry's answers to ExecutionRequests.

A request is read (:mod:`registry.broker.request`) into a one-executable manifest,
loaded by the manifest reader, validated, and planned by :class:`~registry.planner.Planner`
against every platform of the registry. The best matches (at most ``offers``) become
offers, each an execution session for one platform with the planner's allocation as
``cores`` and ``memory`` ``{min = max}`` (within the range asked for), OFFERED until
``expires``. With no match the answer is NO, and the planner's rejections become the
offer set's messages (template and values: constraint, required, offered, unit,
would-fit).

Each offer set lives in the store in its own named graph ``urn:uuid:<uuid>``, described
with the vocabulary (``esap:OfferSet``, ``esap:ExecutionSession``, ``esap:sessionPhase``,
``esap:expires``, ``esap:offeredOn`` ...) and the answered JSON beside it
(``esap:brokerDocument``), so every worker and a restart see it. Offers past their
expiry turn EXPIRED when next read; offer sets whose offers all lapsed are purged a
retention period later (``queries/broker-purgeable.rq``), those with an accepted
session are kept.
"""

from __future__ import annotations

import json
import math
import threading
import uuid as uuids
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from rdflib import RDF, XSD, Graph, Literal, URIRef

from registry.broker.kinds import COMPUTE_KIND, MESSAGE_KIND, OFFERSET_KIND, SESSION_KIND, STORAGE_KIND, UPDATE_KIND, KindMap
from registry.broker.request import BrokerRequest, read_request, request_document, write_duration
from registry.readers import entry_iri
from registry.errors import BrokerBusy, BrokerConflict, InputError, NotFound
from registry.planner import Planner
from registry.resources import load_query
from registry.service import Registry
from registry.vocabulary import ESAP

__all__ = ["CONNECTOR_KIND", "Broker", "offer_allocation"]

#: The kind of the connector an accepted session gets: the platform's launch URL.
CONNECTOR_KIND = "https://w3id.org/esap-registry/broker#launch-url"
RDF_JSON = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON")
#: The phases a session update may ask for, and the phases each may follow.
_ALLOWED = {"ACCEPTED": {"OFFERED"}, "REJECTED": {"OFFERED"}, "CANCELLED": {"OFFERED", "ACCEPTED"}}
#: The unit of each constraint of a rejection, when the plan does not give it.
_UNITS = {"cores": "cores", "memory": "GiB", "storage": "GiB", "walltime": "hours", "nodes": "nodes", "type": "", "compute": ""}


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- reading the plan (the one place that knows the plan JSON's shape) -------------------


@dataclass(frozen=True)
class _Allocation:
    platform: str
    title: str
    pool: str | None
    nodes: int | None
    cores: Decimal | None
    memory: Decimal | None
    launch: str | None


def offer_allocation(match: dict[str, Any]) -> _Allocation:
    """What a match of ``Plan.to_dict()`` allocates: its platform, the pool chosen and the
    nodes, cores and memory (GiB) of its ``allocation`` (the first compute requirement's,
    when there are several and ``pool`` and ``allocation`` are lists)."""
    pool = match["pool"]
    allocation = match["allocation"]
    if isinstance(pool, list):
        pool = pool[0]
    if isinstance(allocation, list):
        allocation = allocation[0]
    return _Allocation(
        platform=str(match["platform"]),
        title=str(match.get("title") or match["platform"]),
        pool=str(pool["iri"]) if pool and pool.get("iri") is not None else None,
        nodes=int(allocation["nodes"]) if allocation.get("nodes") is not None else None,
        cores=Decimal(str(allocation["cores"])) if allocation.get("cores") is not None else None,
        memory=Decimal(str(allocation["memory"])) if allocation.get("memory") is not None else None,
        launch=match.get("launch"),
    )


def _reason_values(rejected: dict[str, Any], reason: dict[str, Any]) -> dict[str, str]:
    """A rejection's reason as a message's values (all text, as NameValueMap says)."""
    constraint = str(reason.get("constraint"))
    values = {
        "platform": str(rejected.get("platform")),
        "title": str(rejected.get("title")),
        "constraint": constraint,
        "required": _text(reason.get("required")),
        "offered": _text(reason.get("offered")),
        "unit": str(reason.get("unit") or _UNITS.get(constraint, "")),
    }
    if reason.get("pool") is not None:
        values["pool"] = str(reason["pool"])
    if reason.get("at-nodes") is not None:
        values["at-nodes"] = _text(reason["at-nodes"])
    would_fit = rejected.get("would-fit")
    if would_fit:
        values["would-fit"] = ", ".join(f"{k}={_text(v)}" for k, v in would_fit.items())
        in_request = [_request_value(name, value) for name, value in would_fit.items()]
        if all(in_request):
            values["would-fit-request"] = ", ".join(in_request)  # type: ignore[arg-type]
    return values


def _request_value(name: str, value: object) -> str | None:
    """A planner override (``cores=8``) as the request's own terms (``compute.cores.min=8``);
    None for one a request cannot say (nodes)."""
    number = Decimal(str(value))
    if name == "cores":
        return f"compute.cores.min={int(number)}"
    if name == "memory":
        return f"compute.memory.min={math.floor(number)}"
    if name == "storage":
        return f"storage.size.min={math.floor(number)}"
    if name == "hours":
        return f"schedule.requested.duration={write_duration(number)}"
    return None


def _text(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) or "none"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


# -- messages -----------------------------------------------------------------------------


def _message(level: str, template: str, values: dict[str, str], moment: datetime) -> dict[str, Any]:
    filled = template
    for key, value in values.items():
        filled = filled.replace("{" + key + "}", value)
    return {"kind": MESSAGE_KIND, "time": _stamp(moment), "level": level, "template": template, "values": values, "message": filled}


_REJECTION = "{title}: {constraint} needs {required} {unit}, offers {offered} {unit}"
_REJECTION_FIT = "{title}: {constraint} needs {required} {unit}, offers {offered} {unit}; would fit with {would-fit}"
_REJECTION_FIT_REQUEST = "{title}: {constraint} needs {required} {unit}, offers {offered} {unit}; would fit with {would-fit-request}"
_TYPE_REJECTION = "{title}: does not run {required} (runs {offered})"


class Broker:
    """The registry's ExecutionBroker: offer sets and sessions on the registry's store.

    :param registry: the registry whose platforms are planned against, and whose store
        keeps the offer sets.
    :param offers: the most offers an offer set holds.
    :param ttl: seconds an offer stays OFFERED.
    :param retention: seconds an offer set is kept after its last offer lapsed.
    :param max_open: the most open offer sets (with a live offer) at once.
    :param lock: held while a request is validated and planned and while an offer set is
        written (the web app's write lock: pySHACL and rdflib graphs are not made for
        concurrent use); a lock of its own when not given.
    :param clock: the current time (for tests of expiry, a real clock otherwise).
    """

    def __init__(
        self,
        registry: Registry,
        *,
        offers: int = 5,
        ttl: float = 300.0,
        retention: float = 3600.0,
        max_open: int = 1000,
        lock: AbstractContextManager[Any] | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        if offers < 1:
            raise InputError("--offers must be at least 1")
        if ttl <= 0 or retention < 0:
            raise InputError("--offer-ttl must be positive and the retention not negative")
        self.registry = registry
        self.store = registry.store
        self.offers = offers
        self.ttl = timedelta(seconds=ttl)
        self.retention = timedelta(seconds=retention)
        self.max_open = max_open
        self.lock = lock if lock is not None else threading.Lock()
        self.clock = clock
        self._kinds: KindMap | None = None

    @property
    def kinds(self) -> KindMap:
        """The kinds the broker reads, from the vocabulary (read once)."""
        if self._kinds is None:
            self._kinds = KindMap.load(self.registry)
        return self._kinds

    # -- requests ---------------------------------------------------------------------

    def read(self, tree: dict[str, Any], source: str = "<request>") -> BrokerRequest:
        """Read a request (see :func:`registry.broker.request.read_request`).

        :raises InputError: for a malformed request, naming the JSON path.
        """
        return read_request(tree, self.kinds, source)

    def request(self, tree: dict[str, Any], base_url: str, source: str = "<request>") -> dict[str, Any]:
        """Answer an ExecutionRequest with an offer set, stored before it is returned.

        :param base_url: the service's URL, for the ``meta.url`` of the offer set and offers.
        :raises InputError: for a malformed request (nothing is stored).
        :raises BrokerBusy: when the cap of open offer sets is reached.
        :raises StoreError: when the store fails.
        """
        request = self.read(tree, source)
        moment = self.clock()
        self.purge(moment)
        self._check_cap(moment)
        with self.lock:
            offerset = self._answer(request, base_url.rstrip("/"), moment)
            self._write(offerset)
        return self._public(offerset)

    def direct(self, tree: dict[str, Any], base_url: str, source: str = "<request>") -> tuple[bool, dict[str, Any]]:
        """``POST /direct``: the best offer, already ACCEPTED; (False, a FAILED session
        with the reasons) when there is none.

        :raises InputError: for a malformed request.
        :raises BrokerBusy: when the cap of open offer sets is reached.
        """
        offerset = self.request(tree, base_url, source)
        if offerset["result"] != "YES":
            failed = {"kind": SESSION_KIND, "meta": {"name": "no offer", "messages": offerset["meta"]["messages"]}, "phase": "FAILED"}
            return False, failed
        first = offerset["offers"][0]["meta"]["uuid"]
        return True, self.update(first, {"kind": UPDATE_KIND, "path": "/phase", "value": "ACCEPTED"})

    def _check_cap(self, moment: datetime) -> None:
        rows = self.store.select(load_query("broker-open-offersets"), {"now": Literal(_stamp(moment), datatype=XSD.dateTime)})
        open_ = int(rows[0]["open"]) if rows else 0
        if open_ >= self.max_open:
            raise BrokerBusy(
                f"the broker holds {open_} open offer sets, its limit: try again when offers expire",
                int(self.ttl.total_seconds()) or 1,
            )

    def _answer(self, request: BrokerRequest, base: str, moment: datetime) -> dict[str, Any]:
        """The offer set (with its sessions and what the store keeps of them)."""
        offerset_uuid = str(uuids.uuid4())
        expires = moment + self.ttl
        messages: list[dict[str, Any]] = []
        offers: list[dict[str, Any]] = []
        if request.unknown:
            for text in request.unknown:
                messages.append(_message("ERROR", "{problem}", {"problem": text}, moment))
        else:
            plan = self._plan(request, messages, moment)
            if plan is not None:
                for match in plan["matches"]:
                    offers.append(self._offer(request, offer_allocation(match), base, moment, expires))
                if not offers:
                    summary = plan.get("summary", {})
                    messages.append(
                        _message(
                            "ERROR",
                            "none of the {platforms} platforms of the registry can run {title}",
                            {"platforms": str(summary.get("platforms", 0)), "title": request.title},
                            moment,
                        )
                    )
                    for rejected in plan["rejected"]:
                        for reason in rejected.get("reasons", []):
                            values = _reason_values(rejected, reason)
                            if values["constraint"] == "type":
                                template = _TYPE_REJECTION
                            elif "would-fit-request" in values:
                                template = _REJECTION_FIT_REQUEST
                            else:
                                template = _REJECTION_FIT if "would-fit" in values else _REJECTION
                            messages.append(_message("WARN", template, values, moment))
        for note in request.notes:
            messages.append(_message("INFO", "{note}", {"note": note}, moment))
        result = "YES" if offers else "NO"
        description = (
            f"{len(offers)} offer(s) from the ESAP registry to run {request.title}"
            if offers
            else f"the ESAP registry has no offer to run {request.title}"
        )
        return {
            "kind": OFFERSET_KIND,
            "meta": {
                "uuid": offerset_uuid,
                "name": f"offers for {request.title}",
                "url": f"{base}/offersets/{offerset_uuid}",
                "description": description,
                "created": _stamp(moment),
                "messages": messages,
            },
            "result": result,
            "offers": offers,
            "_expires": _stamp(expires),
        }

    def _plan(self, request: BrokerRequest, messages: list[dict[str, Any]], moment: datetime) -> dict[str, Any] | None:
        """The planner's JSON for the request, or None (with messages) when the manifest it
        makes does not conform."""
        document = request_document(request, str(uuids.uuid4()), vocabulary=self.registry.vocabulary)
        report = self.registry.validate(document)
        if not report.conforms:
            for issue in report.violations:
                messages.append(_message("ERROR", "{path}: {problem}", {"path": issue.path or "", "problem": issue.message}, moment))
            return None
        return Planner(self.registry).plan(document, limit=self.offers).to_dict()

    def _offer(self, request: BrokerRequest, allocation: _Allocation, base: str, moment: datetime, expires: datetime) -> dict[str, Any]:
        """One offer: the request's components on one platform, cores and memory fixed."""
        session_uuid = str(uuids.uuid4())
        tree = request.tree
        cores = _clamp(allocation.cores, request.cores)
        memory = _clamp(allocation.memory, request.memory)
        compute_in = tree.get("compute") if isinstance(tree.get("compute"), dict) else {}
        compute: dict[str, Any] = {"kind": COMPUTE_KIND}
        if compute_in.get("meta") is not None:
            compute["meta"] = compute_in["meta"]
        if cores is not None:
            compute["cores"] = {"min": cores, "max": cores}
        if memory is not None:
            compute["memory"] = {"min": memory, "max": memory}
        if compute_in.get("volumes"):
            compute["volumes"] = compute_in["volumes"]
        executable = dict(tree["executable"])
        canonical = self.kinds.kind_of_type(request.type or "")
        if canonical:
            executable["kind"] = canonical
        storage = []
        for item in tree.get("storage") or []:
            written = dict(item)
            written["kind"] = STORAGE_KIND
            storage.append(written)
        pool = f" on pool {allocation.pool}" if allocation.pool else ""
        nodes = f" ({allocation.nodes} node(s))" if allocation.nodes else ""
        session = {
            "kind": SESSION_KIND,
            "meta": {
                "uuid": session_uuid,
                "name": allocation.title,
                "url": f"{base}/sessions/{session_uuid}",
                "description": (
                    f"{request.title} on {allocation.title}: {cores if cores is not None else 'any'} cores, "
                    f"{memory if memory is not None else 'any'} GiB{pool}{nodes}; platform {base}/platforms/{allocation.platform}"
                ),
                "created": _stamp(moment),
            },
            "phase": "OFFERED",
            "expires": _stamp(expires),
            "executable": executable,
            "compute": compute,
            "storage": storage,
            "data": list(tree.get("data") or []),
            "connectors": [],
            "_platform": allocation.platform,
            "_launch": allocation.launch,
        }
        return session

    # -- the store ----------------------------------------------------------------------

    def _write(self, offerset: dict[str, Any]) -> None:
        """Store an offer set (its graph replaced whole, in one step)."""
        name = entry_iri(offerset["meta"]["uuid"])
        graph = Graph()
        graph.add((name, RDF.type, ESAP.OfferSet))
        graph.add((name, ESAP.uuid, Literal(offerset["meta"]["uuid"])))
        graph.add((name, ESAP.created, Literal(offerset["meta"]["created"], datatype=XSD.dateTime)))
        graph.add((name, ESAP.expires, Literal(offerset["_expires"], datatype=XSD.dateTime)))
        graph.add((name, ESAP.brokerResult, Literal(offerset["result"])))
        head = {k: v for k, v in offerset.items() if k not in ("offers", "_expires")}
        head["offers"] = [o["meta"]["uuid"] for o in offerset["offers"]]
        graph.add((name, ESAP.brokerDocument, Literal(json.dumps(head, ensure_ascii=False), datatype=RDF_JSON)))
        for offer in offerset["offers"]:
            session = entry_iri(offer["meta"]["uuid"])
            graph.add((name, ESAP.offer, session))
            graph.add((session, RDF.type, ESAP.ExecutionSession))
            graph.add((session, ESAP.uuid, Literal(offer["meta"]["uuid"])))
            graph.add((session, ESAP.created, Literal(offer["meta"]["created"], datatype=XSD.dateTime)))
            graph.add((session, ESAP.sessionPhase, Literal(offer["phase"])))
            graph.add((session, ESAP.expires, Literal(offer["expires"], datatype=XSD.dateTime)))
            graph.add((session, ESAP.offeredOn, entry_iri(offer["_platform"])))
            compute = offer["compute"]
            if "cores" in compute:
                graph.add((session, ESAP.allocatedCores, Literal(compute["cores"]["min"], datatype=XSD.integer)))
            if "memory" in compute:
                graph.add((session, ESAP.allocatedMemoryGiB, Literal(compute["memory"]["min"], datatype=XSD.integer)))
            if offer["_launch"]:
                graph.add((session, ESAP.launchUrl, Literal(offer["_launch"], datatype=XSD.anyURI)))
            body = {k: v for k, v in offer.items() if k not in ("phase", "expires", "connectors") and not k.startswith("_")}
            graph.add((session, ESAP.brokerDocument, Literal(json.dumps(body, ensure_ascii=False), datatype=RDF_JSON)))
        self.store.replace_graphs({name: graph})

    def _read(self, offerset_uuid: str) -> dict[str, Any]:
        """An offer set as stored, with its sessions' state.

        :raises NotFound: when there is none.
        """
        name = entry_iri(offerset_uuid)
        graph = self.store.graph(name)
        head = graph.value(name, ESAP.brokerDocument)
        if (name, RDF.type, ESAP.OfferSet) not in graph or head is None:
            raise NotFound(offerset_uuid, "offer set")
        offerset = json.loads(str(head))
        offerset["_expires"] = str(graph.value(name, ESAP.expires))
        offers = []
        for session_uuid in offerset["offers"]:
            session = entry_iri(session_uuid)
            body = json.loads(str(graph.value(session, ESAP.brokerDocument)))
            body["phase"] = str(graph.value(session, ESAP.sessionPhase))
            body["expires"] = str(graph.value(session, ESAP.expires))
            body["connectors"] = []
            body["_platform"] = str(graph.value(session, ESAP.offeredOn)).removeprefix("urn:uuid:")
            launch = graph.value(session, ESAP.launchUrl)
            body["_launch"] = str(launch) if launch is not None else None
            offers.append(body)
        offerset["offers"] = offers
        return offerset

    def _refreshed(self, offerset_uuid: str) -> dict[str, Any]:
        """The offer set with offers past their expiry turned EXPIRED (and stored so).

        :raises NotFound: when there is none.
        """
        offerset = self._read(offerset_uuid)
        moment = self.clock()
        changed = False
        for offer in offerset["offers"]:
            if offer["phase"] == "OFFERED" and _when(offer["expires"]) <= moment:
                offer["phase"] = "EXPIRED"
                changed = True
        if changed:
            self._write(offerset)
        return offerset

    @staticmethod
    def _public(offerset: dict[str, Any]) -> dict[str, Any]:
        """The offer set as the ExecutionBroker answers it."""
        out = {k: v for k, v in offerset.items() if not k.startswith("_")}
        out["offers"] = [Broker._session_public(o) for o in offerset["offers"]]
        return out

    @staticmethod
    def _session_public(offer: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in offer.items() if not k.startswith("_")}
        phase = offer["phase"]
        if phase in ("ACCEPTED", "CANCELLED") and offer.get("_launch"):
            location = offer["_launch"]
            out["connectors"] = [
                {
                    "kind": CONNECTOR_KIND,
                    "status": "AVAILABLE" if phase == "ACCEPTED" else "FINISHED",
                    "protocol": location.split(":", 1)[0].upper(),
                    "location": location,
                }
            ]
        if phase != "OFFERED":
            out.pop("expires", None)  # only valid while OFFERED
        return out

    # -- reading and updating --------------------------------------------------------------

    def offerset(self, offerset_uuid: str) -> dict[str, Any]:
        """``GET /offersets/{uuid}``.

        :raises NotFound: when there is no such offer set (or it was purged).
        :raises InputError: when the uuid is not a UUID.
        """
        _check_uuid(offerset_uuid)
        with self.lock:
            return self._public(self._refreshed(offerset_uuid))

    def _owner(self, session_uuid: str) -> str:
        _check_uuid(session_uuid)
        rows = self.store.select(load_query("broker-session"), {"uuid": Literal(session_uuid.lower())})
        if not rows:
            raise NotFound(session_uuid, "execution session")
        return str(rows[0]["offerset"]).removeprefix("urn:uuid:")

    def session(self, session_uuid: str) -> dict[str, Any]:
        """``GET /sessions/{uuid}``.

        :raises NotFound: when there is no such session.
        """
        with self.lock:
            offerset = self._refreshed(self._owner(session_uuid))
        return self._find(offerset, session_uuid)

    def context_of(self, session_uuid: str) -> dict[str, str]:
        """Where a session belongs, for its page: the uuid of its ``platform`` and the
        URL of its ``offerset``.

        :raises NotFound: when there is no such session.
        """
        with self.lock:
            offerset = self._read(self._owner(session_uuid))
        platform = next(o["_platform"] for o in offerset["offers"] if o["meta"]["uuid"] == session_uuid.lower())
        return {"platform": platform, "offerset": offerset["meta"]["url"]}

    @staticmethod
    def _find(offerset: dict[str, Any], session_uuid: str) -> dict[str, Any]:
        for offer in offerset["offers"]:
            if offer["meta"]["uuid"] == session_uuid.lower():
                return Broker._session_public(offer)
        raise NotFound(session_uuid, "execution session")

    def update(self, session_uuid: str, update: Any) -> dict[str, Any]:  # noqa: ANN401 - a JSON tree
        """``POST /sessions/{uuid}``: a new phase. Accepting an offer rejects its OFFERED
        siblings; asking again for the phase a session has changes nothing.

        :raises InputError: when the update is not ``{"kind": "uri:enum-value-update",
            "path": "/phase", "value": ACCEPTED|REJECTED|CANCELLED}`` (naming the key).
        :raises BrokerConflict: when the session's phase does not allow it.
        :raises NotFound: when there is no such session.
        """
        value = _read_update(update)
        owner = self._owner(session_uuid)
        with self.lock:
            offerset = self._refreshed(owner)
            target = next(o for o in offerset["offers"] if o["meta"]["uuid"] == session_uuid.lower())
            if target["phase"] != value:
                if target["phase"] not in _ALLOWED[value]:
                    raise BrokerConflict(
                        f"session {session_uuid} is {target['phase']}: it cannot become {value} "
                        f"(only a session that is {' or '.join(sorted(_ALLOWED[value]))} can)"
                    )
                target["phase"] = value
                if value == "ACCEPTED":
                    for sibling in offerset["offers"]:
                        if sibling is not target and sibling["phase"] == "OFFERED":
                            sibling["phase"] = "REJECTED"
                self._write(offerset)
        return self._find(offerset, session_uuid)

    # -- purging ---------------------------------------------------------------------------

    def purge(self, moment: datetime | None = None) -> int:
        """Drop the offer sets whose offers all lapsed more than the retention period ago
        (none of whose sessions was accepted).

        :returns: how many were dropped.
        :raises StoreError: when the store fails.
        """
        before = (moment or self.clock()) - self.retention
        rows = self.store.select(load_query("broker-purgeable"), {"before": Literal(_stamp(before), datatype=XSD.dateTime)})
        names = [URIRef(row["offerset"]) for row in rows]
        if names:
            with self.lock:
                self.store.drop_graphs(names)
        return len(names)


def _clamp(offered: Decimal | None, asked: tuple[int | None, int | None] | None) -> int | None:
    """The allocation kept within what the request asked for, in whole units (an offer
    of a whole node gives no more than the request's maximum)."""
    if offered is None:
        return asked[0] if asked is not None else None
    value = offered
    if asked is not None:
        low, high = asked
        if high is not None:
            value = min(value, Decimal(high))
        if low is not None:
            value = max(value, Decimal(low))
    return int(math.floor(value))


def _check_uuid(text: str) -> None:
    try:
        uuids.UUID(text)
    except ValueError as exc:
        raise InputError(f"not a UUID: {text}") from exc


def _read_update(update: Any) -> str:  # noqa: ANN401
    if not isinstance(update, dict):
        raise InputError("a session update is an object: {kind, path, value}")
    if update.get("kind") != UPDATE_KIND:
        raise InputError(f"the update kind must be {UPDATE_KIND} (got {json.dumps(update.get('kind'))})", json_path="kind")
    if update.get("path") != "/phase":
        raise InputError(f"only /phase can be updated (got {json.dumps(update.get('path'))})", json_path="path")
    value = update.get("value")
    if value not in _ALLOWED:
        raise InputError(f"the phase must become one of {', '.join(sorted(_ALLOWED))} (got {json.dumps(value)})", json_path="value")
    return value  # type: ignore[no-any-return]

