"""Manifests shared by the tests."""

from __future__ import annotations

from typing import Any

#: The seed slides' executable as a user writes it, with every list the data model has,
#: some of them empty (so that a lossless reader and exporter must keep them).
SEED: dict[str, Any] = {
    "executables": [
        {
            "uuid": "5cec9f3d-79c0-49ad-9a5a-455596c55341",
            "type": "urn:types/jupyter-notebook",
            "title": "Find ESCAPE OSSR records",
            "description": "How to find and access zenodo records from the OSSR dataset.",
            "location": {"repository": "https://gitlab.com/escape-ossr/eossr", "ref": "master", "path": "examples/notebooks/ossr_api-Explore_the_OSSR.ipynb"},
            "compute-resources": [{"mincores": 1, "minmemory": 1}],
            "storage-resources": [],
            "data-resources": [{"data-content": "urn:astronomy-observation", "data-format": "urn:parquet-binary", "size": "5TB"}],
        }
    ]
}
