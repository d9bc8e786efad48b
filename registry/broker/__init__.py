"""The registry as an IVOA ExecutionBroker (the OpenAPI contract of
``uksrc/Calycopis-openapi``, schema v1.0): ExecutionRequests are read into the
planner's requirements (:mod:`registry.broker.request`), answered with offer sets
of execution sessions kept in the store as RDF (:mod:`registry.broker.offers`),
and sent to any broker by the ``esap-registry broker`` client
(:mod:`registry.broker.command`)."""

from registry.broker.kinds import KindMap
from registry.broker.offers import Broker
from registry.broker.request import BrokerRequest, parse_body, read_request, request_from_manifest

__all__ = ["Broker", "BrokerRequest", "KindMap", "parse_body", "read_request", "request_from_manifest"]
