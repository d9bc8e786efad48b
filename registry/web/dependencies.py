"""What the routes need, as FastAPI dependencies: the one way a handler reaches the
app's services.

The app factory builds the services once (:class:`Services`) and keeps them on the app;
a handler names what it needs as a parameter (``registry: Registry = _REGISTRY``)
and never reads the app's state itself, so that an app can swap one for a test with
``app.dependency_overrides``. The SPARQL endpoint takes its own through its constructor
(:class:`registry.web.endpoint.SparqlRouter`).

The dependencies are coroutines: they do no I/O, and FastAPI runs a plain function
dependency in a worker thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from fastapi import Depends, FastAPI, Request

from registry.broker import Broker
from registry.planner import Planner
from registry.service import Registry
from registry.web.http import check_token
from registry.web.pages import Pages
from registry.web.settings import Settings

__all__ = [
    "Services",
    "get_broker",
    "get_pages",
    "get_plan_slots",
    "get_planner",
    "get_registry",
    "get_settings",
    "get_write_lock",
    "require_token",
]


@dataclass(frozen=True)
class Services:
    """What every request of one app shares, built once by the app factory.

    :param settings: the operator's settings.
    :param registry: the registry on its store.
    :param pages: the HTML renderer.
    :param broker: the ExecutionBroker's offers and sessions.
    :param write_lock: held while a document is validated or stored (pySHACL and rdflib
        graphs are not made for concurrent use); the SPARQL endpoint's updates hold it too.
    :param plan_slots: how many plans run at once (``Settings.plan_workers``); the others
        wait their turn, so that many clients share the cores instead of thrashing them.
    """

    settings: Settings
    registry: Registry
    pages: Pages
    broker: Broker
    write_lock: threading.Lock
    plan_slots: threading.BoundedSemaphore

    def attach(self, app: FastAPI) -> None:
        """Make these the services of ``app`` (done once, by the app factory)."""
        app.state.services = self


async def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


_SERVICES = Depends(_services)


async def get_settings(services: Services = _SERVICES) -> Settings:
    """The operator's settings."""
    return services.settings


_SETTINGS = Depends(get_settings)


async def get_registry(services: Services = _SERVICES) -> Registry:
    """The registry on its store."""
    return services.registry


_REGISTRY = Depends(get_registry)


async def get_pages(services: Services = _SERVICES) -> Pages:
    """The HTML renderer."""
    return services.pages


async def get_broker(services: Services = _SERVICES) -> Broker:
    """The ExecutionBroker."""
    return services.broker


async def get_planner(registry: Registry = _REGISTRY) -> Planner:
    """A planner on the registry."""
    return Planner(registry)


async def get_write_lock(services: Services = _SERVICES) -> threading.Lock:
    """The lock writers hold (:attr:`Services.write_lock`)."""
    return services.write_lock


async def get_plan_slots(services: Services = _SERVICES) -> threading.BoundedSemaphore:
    """The plans that may run at once (:attr:`Services.plan_slots`)."""
    return services.plan_slots


async def require_token(request: Request, settings: Settings = _SETTINGS) -> None:
    """Allow the operation only with the configured bearer token (:func:`registry.web.http.check_token`).

    :raises Forbidden: when no token is configured (the service is read-only).
    :raises Unauthorized: when the request carries no token or another one.
    """
    check_token(request, settings.token)
