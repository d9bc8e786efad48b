"""The pySHACL versions the fast checker is proven against (registry.pyshacl_patch): the
pin in pyproject.toml is that range; pySHACL's parameter index is installed when a
validator is built, never on import; any other version gets plain pySHACL, one log line,
and the same reports."""

from __future__ import annotations

import logging
import subprocess
import sys
import tomllib
from pathlib import Path

import pyshacl
import pytest

from registry.readers import Document, load_path
from registry.pyshacl_patch import PROVEN, proven
from registry.validation import Validator, get_validator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHAPE_FILES = sorted(p for p in (HERE / "data" / "shapes").glob("*/*.json") if not p.name.endswith(".expected.json"))
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


@pytest.mark.parametrize("version", ["0.40.0", "0.40.1", "0.40.2", "0.40.1rc1", "0.40.1.post1"])
def test_versions_in_the_range_are_proven(version: str) -> None:
    assert proven(version)


@pytest.mark.parametrize("version", ["0.39.9", "0.41.0", "0.30.1", "0.4.0", "1.40.0", "0.400.0", "", "dev", "0"])
def test_other_versions_are_not(version: str) -> None:
    assert not proven(version)


def test_the_installed_pyshacl_is_proven_and_pinned_to_the_range() -> None:
    assert proven(pyshacl.__version__)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [d for d in project["dependencies"] if d.startswith("pyshacl")]
    (low_major, low_minor), (high_major, high_minor) = PROVEN
    assert pins == [f"pyshacl>={low_major}.{low_minor},<{high_major}.{high_minor}"]


def _parameter_list_after(code: str) -> str:
    """The type of pySHACL's constraint-parameter list after running ``code`` in a new
    interpreter (``-`` when pySHACL has not set it yet)."""
    probe = (
        f"{code}\nimport pyshacl.shape\n"
        "params = getattr(pyshacl.shape, 'CONSTRAINT_PARAMS', None)\n"
        "print(type(params[0]).__name__ if params else '-')"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    return done.stdout.strip()


def test_the_patch_is_installed_by_a_validator_not_by_an_import() -> None:
    assert _parameter_list_after("import registry.validation") == "-"
    assert _parameter_list_after("from registry.validation import Validator; Validator()") == "_ConstraintParameters"


def test_another_version_installs_nothing() -> None:
    assert (
        _parameter_list_after("from registry.validation import Validator; Validator(pyshacl_version='0.41.0')") == "-"
    )


def test_another_version_runs_plain_pyshacl_and_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        validator = Validator(pyshacl_version="0.41.0")
    assert validator.fast is None and not validator.pyshacl_proven
    assert validator.fast_refused is None  # the shapes are not why
    told = [r for r in caplog.records if r.name.startswith("registry.")]
    assert len(told) == 1
    assert told[0].levelno == logging.WARNING
    assert "pySHACL 0.41.0" in told[0].getMessage() and "pyshacl>=0.40,<0.41" in told[0].getMessage()


@pytest.fixture(scope="module")
def unproven() -> Validator:
    return Validator(pyshacl_version="0.39.0")


def _documents() -> list[tuple[str, list[Document]]]:
    cases = [(f"{p.parent.name}/{p.name}", [load_path(p)]) for p in SHAPE_FILES]
    cases += [(p.name, [load_path(p)]) for p in EXAMPLES]
    cases.append(("examples in one batch", [load_path(p) for p in EXAMPLES]))
    return cases


def test_the_fallback_reports_what_the_fast_path_reports(unproven: Validator) -> None:
    """Over the shape test data and the examples (clean, with warnings, with violations),
    plain pySHACL and the validator with its fast checker give the same reports."""
    validator = get_validator()
    assert validator.fast is not None and unproven.fast is None
    kinds = set()
    for name, docs in _documents():
        expected = validator.validate(docs).to_dict()
        assert unproven.validate(docs).to_dict() == expected, name
        kinds.add((expected["conforms"], expected["warnings"] > 0))
    assert {(True, False), (False, False)} <= kinds  # clean documents and refused ones were compared


def test_the_fallback_validates_what_the_fast_checker_would_pass(
    unproven: Validator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no fast checker, pySHACL runs even on a clean document."""
    import registry.validation

    ran = []
    real = registry.validation.pyshacl.validate

    def counted(*args: object, **kwargs: object) -> object:
        ran.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(registry.validation.pyshacl, "validate", counted)
    document = load_path(ROOT / "examples" / "gaia-hdbscan.json")
    assert unproven.validate(document).conforms
    assert ran == [1]
    assert get_validator().validate(document).conforms
    assert ran == [1]
