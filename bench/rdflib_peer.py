"""The Python peer of the SPARQL endpoint benchmark: an N-Quads file in an rdflib
``Dataset`` served by rdflib-endpoint under uvicorn (one process) on 127.0.0.1.

    .venv/bin/python bench/rdflib_peer.py DATA.nq PORT

Queries go to ``GET /?query=...`` (SPARQL 1.1 Protocol); ``GRAPH`` patterns see each named graph.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def main() -> None:
    data, port = Path(sys.argv[1]), int(sys.argv[2])
    dataset = Dataset()
    dataset.parse(data, format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/", title="rdflib peer", public_url=f"http://127.0.0.1:{port}/")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
