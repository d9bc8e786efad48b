"""Strict YAML: a YAML manifest read with a safe loader held to the JSON reader's limits
(see :mod:`registry.readers.strict_json`).
"""

from __future__ import annotations

import math
from typing import Any

from registry.errors import InputError
from registry.readers.model import MAX_DEPTH
from registry.readers.strict_json import _MAX_INT_DIGITS, _check_tree, _cut, _position


def _parse_yaml(text: str, source: str) -> Any:
    """A YAML manifest's tree, read with a safe loader held to the JSON reader's limits:
    plain mappings, lists, text, numbers, booleans and null only (no tags, anchors or
    aliases), keys that are text and appear once in their mapping, nesting to
    :data:`MAX_DEPTH`, no integer longer than the JSON reader reads nor a number
    that is not finite; dates stay the text written.

    :raises InputError: at the line and column of the fault.
    """
    import yaml  # noqa: PLC0415 - only YAML input needs it

    try:
        loader = _yaml_loader(yaml)(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, found before parsing
        line, column = _position(text, exc.position)
        raise InputError(
            f"not well-formed YAML: the character U+{exc.character:04X} is not allowed", source=source, line=line, column=column
        ) from exc
    try:
        tree = loader.get_single_data()
    except _YamlRefused as exc:
        raise InputError(f"not a YAML manifest the registry reads: {exc.reason}", source=source, line=exc.line, column=exc.column) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise InputError(
            f"not well-formed YAML: {problem or exc}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"not well-formed YAML: {exc}", source=source) from exc
    finally:
        loader.dispose()
    _check_tree(tree, "", source)
    return tree


class _YamlRefused(ValueError):
    def __init__(self, reason: str, mark: Any) -> None:
        self.reason = reason
        self.line = mark.line + 1 if mark is not None else None
        self.column = mark.column + 1 if mark is not None else None
        super().__init__(reason)


_YAML_LOADER: Any = None


def _yaml_loader(yaml: Any) -> Any:
    """The registry's YAML loader class (a ``yaml.SafeLoader`` held to the JSON limits), made once."""
    global _YAML_LOADER
    if _YAML_LOADER is not None:
        return _YAML_LOADER

    class Loader(yaml.SafeLoader):  # type: ignore[misc,name-defined]
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise _YamlRefused("an alias (*name) is not read: write the value out", self.peek_event().start_mark)
            event = self.peek_event()
            if getattr(event, "anchor", None):
                raise _YamlRefused(f"an anchor (&{event.anchor}) is not read: write the value out", event.start_mark)
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH + 1:
                    raise _YamlRefused(f"the document nests deeper than {MAX_DEPTH} levels", event.start_mark)
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if not isinstance(key, str):
                    raise _YamlRefused(f"the key {key!r} is not text: quote it", key_node.start_mark)
                if key in seen:
                    raise _YamlRefused(f"the key {key!r} appears twice in one mapping", key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

        def construct_yaml_int(self, node: Any) -> Any:
            digits = str(node.value).lstrip("+-").replace("_", "")
            if len(digits) > _MAX_INT_DIGITS:
                raise _YamlRefused(f"the number {_cut(node.value)} has more than {_MAX_INT_DIGITS} digits", node.start_mark)
            return super().construct_yaml_int(node)

        def construct_yaml_float(self, node: Any) -> Any:
            number = super().construct_yaml_float(node)
            if not math.isfinite(number):
                raise _YamlRefused(f"{node.value} is not a number the registry reads (no NaN nor infinity)", node.start_mark)
            return number

        def construct_text(self, node: Any) -> Any:
            return self.construct_scalar(node)

        def refuse_tag(self, node: Any) -> Any:
            raise _YamlRefused(f"the tag {node.tag} is not read: a manifest holds mappings, lists, text and numbers", node.start_mark)

    Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)
    Loader.add_constructor("tag:yaml.org,2002:float", Loader.construct_yaml_float)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", Loader.construct_text)
    for tag in ("binary", "set", "omap", "pairs"):
        Loader.add_constructor(f"tag:yaml.org,2002:{tag}", Loader.refuse_tag)
    Loader.add_constructor(None, Loader.refuse_tag)
    _YAML_LOADER = Loader
    return Loader
