"""Strict JSON: text read as JSON with the registry's limits, each fault told at its line
and column: a key twice in one object, ``NaN`` or ``Infinity``, a number too large or too
long, nesting beyond :data:`~registry.readers.model.MAX_DEPTH`, a lone UTF-16 surrogate.

The nesting check and the positions are shared by the other readers (YAML, Turtle).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from registry.errors import InputError
from registry.readers.model import MAX_DEPTH
from registry.readers.sniff import _decode

__all__ = ["read_json"]


def read_json(data: bytes | str, source: str) -> Any:
    """JSON (bytes in UTF-8, a byte order mark allowed, or text) parsed with the registry's
    limits, as every JSON document the registry reads is.

    :raises InputError: at the line and column of the fault (a key twice in one object,
        ``NaN``, a number too large, nesting too deep, bytes that are not UTF-8), or at the
        JSON path of a lone surrogate.
    """
    return _parse_json(data if isinstance(data, str) else _decode(data, source), source)


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)


def _parse_json(text: str, source: str) -> Any:
    try:
        tree = json.loads(
            text,
            object_pairs_hook=_reject_duplicate_keys,
            parse_constant=_reject_constant,
            parse_float=_read_float,
            parse_int=_read_int,
        )
    except json.JSONDecodeError as exc:
        raise InputError(f"not well-formed JSON: {exc.msg}", source=source, line=exc.lineno, column=exc.colno) from exc
    except _DuplicateKey as exc:
        line, column = _duplicate_position(text, exc.key)
        raise InputError(
            f"not well-formed JSON: the key {exc.key!r} appears twice in one object",
            source=source,
            line=line,
            column=column,
        ) from exc
    except _BadNumber as exc:
        line, column = _number_position(text, exc.text)
        raise InputError(f"not well-formed JSON: {exc.reason}", source=source, line=line, column=column) from exc
    except RecursionError as exc:
        raise _too_deep(text, source, _JSON_TOKENS, "json") from exc
    _check_tree(tree, text, source)
    return tree


def _reject_constant(name: str) -> Any:
    raise _BadNumber(name, f"{name} is not a JSON number (JSON has no NaN nor Infinity)")


class _BadNumber(ValueError):
    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(text)


#: Digits of an integer in JSON read at all (Python itself refuses more than 4300).
_MAX_INT_DIGITS = 400


def _read_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _BadNumber(text, f"the number {_cut(text)} is too large to be read")
    return number


def _read_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise _BadNumber(text, f"the number {_cut(text)} has more than {_MAX_INT_DIGITS} digits")
    return int(text)


_JSON_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'


def _number_position(text: str, number: str) -> tuple[int | None, int | None]:
    """The line and column of a number in JSON text: its first occurrence as a token
    of its own, outside strings."""
    pattern = re.compile(_JSON_STRING + r"|(?<![\w.+\-])(" + re.escape(number) + r")(?![\w.])")
    for match in pattern.finditer(text):
        if match.group(1) is not None:
            return _position(text, match.start(1))
    return None, None


def _duplicate_position(text: str, key: str) -> tuple[int | None, int | None]:
    """The line and column of the first key that repeats a key of its own object."""
    objects: list[set[str] | None] = []
    for match in re.finditer(_JSON_STRING + r"\s*:|[\[\]{}]", text):
        token = match.group()
        if token in ("{", "["):
            objects.append(set() if token == "{" else None)
        elif token in ("}", "]"):
            if objects:
                objects.pop()
        elif objects and objects[-1] is not None:
            try:
                name = json.loads(token[:-1].rstrip())
            except ValueError:
                continue
            if name in objects[-1] and name == key:
                return _position(text, match.start())
            objects[-1].add(name)
    return None, None


def _position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of an offset in a text."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _cut(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}...{text[-10:]} ({len(text)} characters)"


# What nests: brackets outside strings (and, in Turtle, outside IRIs and comments).
_JSON_TOKENS = re.compile(_JSON_STRING + r"|[\[\]{}]")
_TURTLE_TOKENS = re.compile(
    r"""
      '''(?:[^'\\]|\\.|'(?!''))*'''
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    | '(?:[^'\\\n\r]|\\.)*'
    | "(?:[^"\\\n\r]|\\.)*"
    | <[^<>"{}|^`\\\x00-\x20]*>
    | \#[^\n\r]*
    | [\[\]()]
    """,
    re.VERBOSE,
)


def _too_deep(text: str, source: str, tokens: re.Pattern[str], fmt: str) -> InputError:
    """The error for a document nested beyond :data:`MAX_DEPTH`, at its first bracket too deep."""
    depth = 0
    for match in tokens.finditer(text):
        bracket = match.group()
        if bracket in ("[", "{", "("):
            depth += 1
            if depth > MAX_DEPTH:
                line, column = _position(text, match.start())
                return InputError(
                    f"the document nests deeper than {MAX_DEPTH} levels", source=source, line=line, column=column
                )
        elif bracket in ("]", "}", ")"):
            depth -= 1
    name = {"json": "JSON", "turtle": "Turtle", "nt": "N-Triples", "xml": "RDF/XML"}.get(fmt, fmt)
    return InputError(f"not well-formed {name}: nested too deeply to be read", source=source)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_tree(tree: Any, text: str, source: str) -> None:
    """Refuse parsed JSON that nests deeper than :data:`MAX_DEPTH`, or holds a string
    that is no text (a lone UTF-16 surrogate written as ``\\ud800``); without recursion.

    :raises InputError: naming the JSON path (and, for the depth, the line and column).
    """
    if _tree_is_fine(tree):
        return
    todo: list[tuple[Any, str, int]] = [(tree, "", 0)]
    while todo:
        node, path, depth = todo.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise InputError(_NO_TEXT, source=source, json_path=path or "$")
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth >= MAX_DEPTH:
            located = _too_deep(text, source, _JSON_TOKENS, "json")
            located.json_path = path or "$"
            raise located
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{path}.{key}" if path else key
                if _SURROGATE.search(key):
                    raise InputError(_NO_TEXT, source=source, json_path=here.encode("utf-8", "backslashreplace").decode())
                todo.append((value, here, depth + 1))
        else:
            todo.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(node))


def _tree_is_fine(tree: Any) -> bool:
    """Whether :func:`_check_tree` finds nothing to refuse, found without making JSON
    paths (made only to name what is refused)."""
    todo: list[tuple[Any, int]] = [(tree, 0)]
    while todo:
        node, depth = todo.pop()
        if isinstance(node, str):
            if not node.isascii() and _SURROGATE.search(node):
                return False
            continue
        if not isinstance(node, (dict, list)):
            continue
        if depth >= MAX_DEPTH:
            return False
        depth += 1
        if isinstance(node, dict):
            for key, value in node.items():
                if not key.isascii() and _SURROGATE.search(key):
                    return False
                todo.append((value, depth))
        else:
            todo.extend((item, depth) for item in node)
    return True


_NO_TEXT = "a string holds a lone surrogate (an escape from \\ud800 to \\udfff), which is no character"
