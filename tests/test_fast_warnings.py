"""Bulk manifests lacking recommended keys take the fast path: the fast SHACL checker
tells the warnings itself (a key left out is one sh:minCount result), and its report is
pySHACL's own, issue for issue."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from support import synthetic
from support.strategies import manifests

from registry.readers import load_document
from registry.report import Report
from registry.validation import Validator, get_validator


def _pyshacl_only() -> Validator:
    validator = Validator()
    validator.fast = None
    return validator


PYSHACL = _pyshacl_only()


def _reports(manifest: dict[str, Any]) -> tuple[Report, Report]:
    text = json.dumps(manifest)
    documents = [load_document(text, source="m.json")]
    return get_validator().validate(documents), PYSHACL.validate([load_document(text, source="m.json")])


def _triples(manifest: dict[str, Any]) -> list[list[Any]]:
    document = load_document(json.dumps(manifest), source="m.json")
    return [list(g) for g in document.entries.values()]


def test_synthetic_platforms_lacking_a_description_are_told_by_the_fast_checker() -> None:
    rng = random.Random(7)
    manifest = {"platforms": [synthetic.platform(rng, i) for i in range(60)]}
    fast = get_validator().fast
    assert fast is not None and not fast.clean(_triples(manifest))
    assert fast.missing(_triples(manifest))  # the fast path is taken: some results, all told
    quick, slow = _reports(manifest)
    assert len(quick.warnings) >= 60
    assert quick.issues == slow.issues


def test_a_wrong_value_still_goes_to_pyshacl() -> None:
    rng = random.Random(8)
    manifest = {"platforms": [synthetic.platform(rng, i) for i in range(5)]}
    manifest["platforms"][2]["compute-resources"][0]["cores"] = -1
    fast = get_validator().fast
    assert fast is not None and fast.missing(_triples(manifest)) is None
    quick, slow = _reports(manifest)
    assert quick.issues == slow.issues and not quick.conforms


RECOMMENDED = ["description", "url", "location", "compute-resources", "storage-resources", "data-resources", "title", "type"]


@given(manifest=manifests, data=st.data())
def test_manifests_with_keys_left_out_get_pyshacls_report(manifest: dict[str, Any], data: st.DataObject) -> None:
    manifest = copy.deepcopy(manifest)
    for entries in manifest.values():
        for entry in entries:
            for key in RECOMMENDED:
                if key in entry and data.draw(st.booleans()):
                    del entry[key]
            for need in entry.get("compute-resources", []):
                for key in ("minmemory", "mincores", "memory", "cores"):
                    if key in need and data.draw(st.booleans()):
                        del need[key]
    quick, slow = _reports(manifest)
    assert quick.issues == slow.issues
