"""The registry's web service: the REST API, the known-location lists, a SPARQL 1.1
endpoint, and HTML pages for the ontology and the registry.

Build it with :func:`create_app`; ``esap-registry serve`` runs it with uvicorn.
"""

from registry.web.app import create_app
from registry.web.settings import Settings

__all__ = ["Settings", "create_app"]
