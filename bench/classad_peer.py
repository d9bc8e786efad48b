"""The peer a plan is measured against: HTCondor's ClassAd matchmaker (PyPI ``htcondor``,
module ``classad2``), on the same platforms.

One machine ad per node pool (its platform's uuid, the executable types it runs, nodes,
cores and memory per node, the longest wall-clock time), and one job ad holding the type
and compute clauses of the registry's rule (the node range included); the matchmaker
answers with ``symmetricMatch`` of the job ad against every machine ad. It answers less
than a plan does (no storage, no data locality, no ranking, no explanations), so it is a
floor for the question both answer: which platforms pass the type and compute clauses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from rdflib import URIRef

from registry.vocabulary import Vocabulary, get_vocabulary
from tests.support.floor import FloorExecutable, FloorPlatform

__all__ = ["ClassAdPeer", "available"]

_REQUIREMENTS = (
    "stringListsIntersect(MY.Types, TARGET.Runs) && MY.Nodes <= TARGET.Nodes"
    " && MY.Cores <= ifThenElse(MY.MaxNodes < TARGET.Nodes, MY.MaxNodes, TARGET.Nodes) * TARGET.CoresPerNode"
    " && MY.Memory <= ifThenElse(MY.MaxNodes < TARGET.Nodes, MY.MaxNodes, TARGET.Nodes) * TARGET.MemoryPerNode"
    " && (TARGET.MaxWalltime is undefined || TARGET.MaxWalltime >= MY.Hours)"
)


def available() -> str | None:
    """None when the matchmaker can be imported, else why not."""
    try:
        import classad2  # noqa: F401
    except ImportError as exc:
        return f"classad2 (pip install htcondor) cannot be imported: {exc}"
    return None


class ClassAdPeer:
    """Machine ads for the platforms, made once.

    :param platforms: the platforms' manifest entries.
    :raises ImportError: without ``classad2``.
    """

    def __init__(self, platforms: Iterable[Mapping[str, Any]], vocabulary: Vocabulary | None = None) -> None:
        import classad2

        self._classad = classad2
        self._vocabulary = vocabulary or get_vocabulary()
        self.ads = []
        for entry in platforms:
            platform = FloorPlatform.from_json(entry)
            for nodes, cores, memory, hours in platform.pools:
                ad = classad2.ClassAd({
                    "Platform": platform.uuid,
                    "Runs": ",".join(sorted(platform.runs)),
                    "Nodes": nodes,
                    "CoresPerNode": float(cores),
                    "MemoryPerNode": float(memory),
                    "Requirements": classad2.ExprTree("true"),
                })
                if hours is not None:
                    ad["MaxWalltime"] = float(hours)
                self.ads.append(ad)

    def job(self, entry: Mapping[str, Any] | FloorExecutable) -> Any:
        """The job ad of an executable at its minima (its first compute requirement)."""
        executable = entry if isinstance(entry, FloorExecutable) else FloorExecutable.from_json(entry)
        nodes, max_nodes, cores, memory, hours = executable.compute[0]
        types = sorted(str(t) for t in self._vocabulary.broader_or_same(URIRef(executable.type)))
        return self._classad.ClassAd({
            "Types": ",".join(types),
            "Nodes": nodes,
            "MaxNodes": max_nodes,
            "Cores": float(cores),
            "Memory": float(memory),
            "Hours": float(hours if hours is not None else Decimal(0)),
            "Requirements": self._classad.ExprTree(_REQUIREMENTS),
        })

    def matches(self, job: Any) -> set[str]:
        """The platforms with a pool the job matches."""
        return {str(ad["Platform"]) for ad in self.ads if job.symmetricMatch(ad)}
