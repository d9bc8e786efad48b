"""The fast checker: the compiled shapes of one shapes graph, run over batches of
documents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rdflib.term import Node

from registry.shacl_fast.batch import RDF_TYPE, SH, SUBCLASS_OF, Batch, Index, Triple
from registry.shacl_fast.shape import Shape

__all__ = ["FastChecker"]


class FastChecker:
    """The shapes of one shapes graph, compiled; made by
    :func:`registry.shacl_fast.compile_shapes`.

    :param shapes: the compiled shapes that have targets (the ones validation starts from).
    :param background: triples pySHACL sees in every data graph besides the documents'
        (the taxonomy term typings).
    :param predicates: the predicates the shapes use, each mapped to the very object the
        compiled checks look up (see :class:`Batch`).
    """

    def __init__(
        self,
        shapes: Sequence[Shape],
        background: Iterable[Triple] = (),
        predicates: dict[Node, Node] | None = None,
    ) -> None:
        self.shapes = list(shapes)
        self.predicates = {RDF_TYPE: RDF_TYPE, SUBCLASS_OF: SUBCLASS_OF, **(predicates or {})}
        self.background: Index = {}
        for s, p, o in background:
            p = self.predicates.get(p, p)
            self.background.setdefault(s, {}).setdefault(p, set()).add(o)
        #: predicate -> what indexing does with it: 1 types, 2 subclasses, 4 objects-of
        #: targets, 8 subjects-of targets (a sum when several).
        self._watch: dict[Node, int] = {RDF_TYPE: 1, SUBCLASS_OF: 2}
        for shape in self.shapes:
            for p in shape.objects_of:
                self._watch[p] = self._watch.get(p, 0) | 4
            for p in shape.subjects_of:
                self._watch[p] = self._watch.get(p, 0) | 8

    def clean(self, graphs: Iterable[Iterable[Triple]]) -> bool:
        """True only when pySHACL, run over the union of ``graphs`` (rdflib graphs, or
        lists of triples) and the background triples with these shapes, would find no
        validation result at all (of any severity) and raise nothing; False when it finds
        or might find one."""
        batch, targets = self._index(graphs)
        for shape in self.shapes:
            if shape.deactivated:
                continue
            for focus in shape.focus_nodes(batch, targets):
                if not shape.conforms(focus, batch):
                    return False
        return True

    def missing(self, graphs: Iterable[Iterable[Triple]]) -> list[tuple[Node, Node, Node]] | None:
        """Every validation result pySHACL would find over ``graphs``, when each one is a
        property shape's ``sh:minCount`` not met by a focus node that has no value at all
        for the shape's one predicate (a recommended key left out: the result of
        pySHACL's ``MinCountConstraintComponent``, with no ``sh:value``); ``None`` when
        any result might be of another kind (then pySHACL must run).

        :returns: ``(property shape, focus node, predicate)`` of each result.
        """
        batch, targets = self._index(graphs)
        found: list[tuple[Node, Node, Node]] = []
        for shape in self.shapes:
            if shape.deactivated:
                continue
            for focus in shape.focus_nodes(batch, targets):
                if shape.conforms(focus, batch):
                    continue
                if shape.path is None:
                    own = shape.value_checks[: shape.own_checks]
                    if not all(check(focus, batch) for check in own):
                        return None
                    for prop in shape.properties:
                        if not _missing(prop, focus, batch, found):
                            return None
                elif not _missing(shape, focus, batch, found):
                    return None
        return found

    def _index(self, graphs: Iterable[Iterable[Triple]]) -> tuple[Batch, dict[Node, dict[Node, set[Node]]]]:
        """The batch of ``graphs`` and its targets: the focus nodes by type, and the
        objects and subjects of the predicates shapes target."""
        batch = Batch(graphs, self.background, self.predicates)
        by_type: dict[Node, set[Node]] = {}
        objects_of: dict[Node, set[Node]] = {}
        subjects_of: dict[Node, set[Node]] = {}
        watch = self._watch
        for s, po in batch.out.items():
            for p, objects in po.items():
                what = watch.get(p)
                if what is None:
                    continue
                if what & 1:
                    for o in objects:
                        members = by_type.get(o)
                        if members is None:
                            by_type[o] = {s}
                        else:
                            members.add(s)
                if what & 2:
                    batch.superclasses[s] = set(objects)
                if what & 4:
                    objects_of.setdefault(p, set()).update(objects)
                if what & 8:
                    subjects_of.setdefault(p, set()).add(s)
        targets: dict[Node, dict[Node, set[Node]]] = {RDF_TYPE: by_type, SH.targetObjectsOf: objects_of, SH.targetSubjectsOf: subjects_of}
        return batch, targets


def _missing(prop: Shape, focus: Node, batch: Batch, found: list[tuple[Node, Node, Node]]) -> bool:
    """Add to ``found`` the result of property shape ``prop`` on ``focus`` when it is a
    ``sh:minCount`` not met for want of any value (see :meth:`FastChecker.missing`).

    :returns: False when ``prop`` might give ``focus`` a result of another kind.
    """
    if prop.deactivated:
        return True
    values = prop.values(focus, batch)
    if all(check(focus, values, batch) for check in prop.focus_checks):
        return all(check(v, batch) for v in values for check in prop.value_checks)
    # A focus check fails. With no value at all, only the count can (sh:lessThanOrEquals
    # has nothing to compare, value checks nothing to check): one MinCount result.
    if values or not prop.least or prop.path is None or len(prop.path) != 1:
        return False
    found.append((prop.node, focus, prop.path[0]))
    return True
