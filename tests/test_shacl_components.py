"""The fast checker's constraint components (registry.shacl_fast): one class per SHACL
constraint component, each naming its section of the SHACL specification, and each
SHACL parameter the compiler accepts read by one component or by the compiler itself."""

from __future__ import annotations

import re

import pytest
from rdflib import SH

from registry.shacl_fast import cardinality, logical, property_pair, shape_based, string_based, value_range, value_type
from registry.shacl_fast.compiler import COMPONENTS, SUPPORTED
from registry.shacl_fast.shape import Component

#: Each component's SHACL section (https://www.w3.org/TR/shacl/), and the module of its family.
SECTIONS = {
    "Class": ("4.1.1", value_type), "Datatype": ("4.1.2", value_type), "NodeKind": ("4.1.3", value_type),
    "MinCount": ("4.2.1", cardinality), "MaxCount": ("4.2.2", cardinality),
    "MinExclusive": ("4.3.1", value_range), "MinInclusive": ("4.3.2", value_range),
    "MaxExclusive": ("4.3.3", value_range), "MaxInclusive": ("4.3.4", value_range),
    "Pattern": ("4.4.3", string_based), "LessThanOrEquals": ("4.5.4", property_pair),
    "Or": ("4.6.3", logical), "Property": ("4.7.2", shape_based),
}  # fmt: skip


@pytest.mark.parametrize("component", COMPONENTS, ids=[c.__name__ for c in COMPONENTS])
def test_a_component_names_its_parameter_and_section(component: type[Component]) -> None:
    section, module = SECTIONS[component.__name__]
    assert component.__module__ == module.__name__
    first = component.parameters[0]
    name = "sh:" + first.removeprefix(str(SH))
    assert component.__doc__ is not None
    assert re.match(rf"``{name}``, SHACL {re.escape(section)}:", component.__doc__), component.__doc__
    # the component's SHACL name, lower camel case, is its first parameter's
    assert name == "sh:" + component.__name__[0].lower() + component.__name__[1:]


def test_the_components_are_the_families_classes() -> None:
    declared = {
        obj for module in {m for _, m in SECTIONS.values()} for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Component) and obj.__module__ == module.__name__
        and not obj.__name__.startswith("_")
    }  # fmt: skip
    assert declared == set(COMPONENTS)
    assert COMPONENTS[-1].__name__ == "Property"  # it counts the shape's own checks before it


def test_each_parameter_is_read_by_one_component() -> None:
    parameters = [p for c in COMPONENTS for p in c.parameters]
    assert len(parameters) == len(set(parameters))
    assert set(parameters) <= SUPPORTED
    structural = SUPPORTED - set(parameters)
    assert structural == {
        SH.targetClass,
        SH.targetNode,
        SH.targetObjectsOf,
        SH.targetSubjectsOf,
        SH.path,
        SH.alternativePath,
        SH.deactivated,
        SH.severity,
        SH.message,
        SH.name,
        SH.description,
    }
