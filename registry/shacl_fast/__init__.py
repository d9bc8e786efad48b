"""A fast SHACL checker compiled from the shapes graph, for the documents that conform.

pySHACL spends some 2.4 ms an executable walking the shapes, most of it in rdflib's graph
API. Most documents have no validation result at all, and telling *that* needs much less:
:func:`compile_shapes` reads the shapes graph (the very graph the validator hands pySHACL)
once, turns each node and property shape into plain Python checks over an index of the
data, and :meth:`FastChecker.clean` runs them over a batch of documents.

The checker answers first one question: "does pySHACL find **no** validation result
(no violation, no warning, no info) and raise nothing on this data?" Its answer ``True``
must be exact; ``False`` means "maybe", and the validator then runs pySHACL over the batch
exactly as it always did, so that reports, messages and their order are pySHACL's own.
:meth:`FastChecker.missing` answers one more: "is every result pySHACL would find a
``sh:minCount`` not met by a focus node without any value of the shape's one predicate (a
key left out)?", and then names them; such a result has no value and the shape's own
message, so the validator tells it as pySHACL does, and any other result (or doubt) still
sends the batch to pySHACL. Each
check therefore mirrors what pySHACL 0.40 does (its literal comparisons, its
``sh:datatype`` rules for ill-typed literals, its regular expressions and flags), and
refuses (answers ``False``) anything unusual: a blank node where a number is compared, a
string compared with a number, a NaN.

It supports exactly the SHACL Core features the shipped shapes use (see
:data:`registry.shacl_fast.compiler.SUPPORTED`): targets by class (with ``rdfs:subClassOf`` in the data graph, as SHACL
defines it), by node, by the objects and the subjects of a property; ``sh:property`` with
predicate paths and ``sh:alternativePath`` of predicates; ``sh:minCount``, ``sh:maxCount``,
``sh:datatype``, ``sh:nodeKind``, ``sh:class``, ``sh:pattern`` with ``sh:flags``, ``sh:or``
of shapes, ``sh:minExclusive``, ``sh:minInclusive``, ``sh:maxExclusive``,
``sh:maxInclusive``, ``sh:lessThanOrEquals`` and ``sh:deactivated``; severities and messages
do not change whether there is a result. A shapes graph with anything else in the SHACL
namespace (another constraint, another path, SHACL-AF rules or targets, custom constraint
components), a shape typed as a class (an implicit class target), a recursive shape or a
shape pySHACL would refuse to load is not compiled: :class:`ShapesUnsupported` says why,
and the validator uses pySHACL for everything, so that a shape can never be skipped.

The package is laid out as pySHACL's ``pyshacl/constraints/core/``: one class per
constraint component (a :class:`~registry.shacl_fast.shape.Component` naming its section of
the SHACL specification), in a module per family of the specification's section 4:

- :mod:`~registry.shacl_fast.value_type` (4.1): ``sh:class``, ``sh:datatype``, ``sh:nodeKind``;
- :mod:`~registry.shacl_fast.cardinality` (4.2): ``sh:minCount``, ``sh:maxCount``;
- :mod:`~registry.shacl_fast.value_range` (4.3): ``sh:minExclusive`` and its kin;
- :mod:`~registry.shacl_fast.string_based` (4.4): ``sh:pattern`` with ``sh:flags``;
- :mod:`~registry.shacl_fast.property_pair` (4.5): ``sh:lessThanOrEquals``;
- :mod:`~registry.shacl_fast.logical` (4.6): ``sh:or``;
- :mod:`~registry.shacl_fast.shape_based` (4.7): ``sh:property``.

Beside them: :mod:`~registry.shacl_fast.batch` (the data graph, indexed),
:mod:`~registry.shacl_fast.shape` (a compiled shape, the component base class),
:mod:`~registry.shacl_fast.checker` (:class:`FastChecker`) and
:mod:`~registry.shacl_fast.compiler` (:func:`compile_shapes`, the list of components).
The pySHACL versions all this is proven against are :data:`registry.pyshacl_patch.PROVEN`.
"""

from registry.shacl_fast.checker import FastChecker
from registry.shacl_fast.compiler import compile_shapes

__all__ = ["FastChecker", "compile_shapes"]
