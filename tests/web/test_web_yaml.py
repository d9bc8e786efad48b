"""A YAML manifest POSTed without a document content type (text/plain, or none) is told
by how it starts and read as the YAML file would be; its empty lists come back."""

from __future__ import annotations

from fastapi.testclient import TestClient
from web_support import AUTH, NEW_UUID

YAML = f"""\
executables:
  - uuid: {NEW_UUID}
    type: urn:types/jupyter-notebook
    title: A YAML notebook
    description: Posted as YAML.
    location:
      repository: https://example.org/repo.git
      ref: main
      path: nb.ipynb
    compute-resources:
      - mincores: 1
        minmemory: 2GiB
    storage-resources: []
"""


def test_post_a_yaml_manifest(write_client: TestClient) -> None:
    response = write_client.post("/executables", content=YAML, headers={**AUTH, "Content-Type": "text/plain"})
    assert response.status_code == 201, response.text
    entry = write_client.get(f"/executables/{NEW_UUID}").json()
    assert entry["title"] == "A YAML notebook" and entry["storage-resources"] == []


def test_a_yaml_fault_is_a_400_with_line_and_column(write_client: TestClient) -> None:
    response = write_client.post("/executables", content="executables:\n  - uuid: [\n", headers={**AUTH, "Content-Type": "text/plain"})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["line"] is not None and "YAML" in body["message"]
