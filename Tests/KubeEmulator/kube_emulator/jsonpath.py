"""The subset of Kubernetes JSONPath used by printer columns.

Supports ``.a.b``, ``{.a.b}``, ``.a[0]``, ``.a[-1]``, ``.a[*].b``, ``['key.with.dots']``,
escaped dots (``app\\.kubernetes\\.io/name``) and filters ``[?(@.type=="Ready")]``.
"""

from __future__ import annotations

import re
from typing import Any


def _tokenize(path: str) -> list[tuple[str, Any]]:
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    if path.startswith("$"):
        path = path[1:]
    tokens: list[tuple[str, Any]] = []
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == ".":
            i += 1
            name = ""
            while i < len(path) and path[i] not in ".[":
                if path[i] == "\\" and i + 1 < len(path):
                    name += path[i + 1]
                    i += 2
                    continue
                name += path[i]
                i += 1
            if name:
                tokens.append(("key", name))
        elif ch == "[":
            end = path.index("]", i)
            if path[i + 1:i + 3] == "?(":
                end = path.index(")]", i) + 1
            inner = path[i + 1:end]
            i = end + 1
            if inner == "*":
                tokens.append(("all", None))
            elif inner.startswith("?("):
                m = re.fullmatch(r"\?\(@\.([\w.]+)\s*(==|!=)\s*['\"]?(.*?)['\"]?\)", inner)
                if not m:
                    raise ValueError(f"unsupported filter {inner}")
                tokens.append(("filter", (m.group(1), m.group(2), m.group(3))))
            elif inner[:1] in ("'", '"'):
                tokens.append(("key", inner[1:-1]))
            else:
                tokens.append(("index", int(inner)))
        else:
            raise ValueError(f"unexpected {ch!r} in JSONPath {path!r}")
    return tokens


def _dig(value: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def find(obj: Any, path: str) -> list[Any]:
    """Return every value that ``path`` selects in ``obj`` (empty when none)."""
    current = [obj]
    for kind, arg in _tokenize(path):
        nxt = []
        for value in current:
            if kind == "key" and isinstance(value, dict) and arg in value:
                nxt.append(value[arg])
            elif kind == "index" and isinstance(value, list) and -len(value) <= arg < len(value):
                nxt.append(value[arg])
            elif kind == "all" and isinstance(value, list):
                nxt.extend(value)
            elif kind == "all" and isinstance(value, dict):
                nxt.extend(value.values())
            elif kind == "filter" and isinstance(value, list):
                field, op, want = arg
                for item in value:
                    got = _dig(item, field)
                    got_s = str(got).lower() if isinstance(got, bool) else str(got)
                    if got is not None and ((got_s == want) == (op == "==")):
                        nxt.append(item)
        current = nxt
    return current
