"""Label selectors (``=``, ``==``, ``!=``, ``in``, ``notin``, ``key``, ``!key``) and field selectors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from .errors import bad_request

_KEY = r"[A-Za-z0-9][-A-Za-z0-9_./]*"
_VALUE = r"[-A-Za-z0-9_.]*"


@dataclass
class Requirement:
    """One selector term: ``op`` is one of =, !=, in, notin, exists, !exists."""

    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        """Return whether a label map satisfies this term."""
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "exists":
            return present
        if self.op == "!exists":
            return not present
        if self.op == "=":
            return present and value == self.values[0]
        if self.op == "!=":
            return not present or value != self.values[0]
        if self.op == "in":
            return present and value in self.values
        if self.op == "notin":
            return not present or value not in self.values
        return False


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    terms, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            terms.append(cur)
            cur = ""
        else:
            cur += ch
    terms.append(cur)
    return [t.strip() for t in terms if t.strip()]


def parse_label_selector(text: str | None) -> list[Requirement]:
    """Parse a label selector string; 400 BadRequest on a syntax error."""
    if not text:
        return []
    reqs = []
    for term in _split_terms(text):
        m = re.fullmatch(rf"({_KEY})\s+(in|notin)\s+\(([^)]*)\)", term)
        if m:
            values = tuple(v.strip() for v in m.group(3).split(",") if v.strip())
            reqs.append(Requirement(m.group(1), m.group(2), values))
            continue
        m = re.fullmatch(rf"({_KEY})\s*(==|=|!=)\s*({_VALUE})", term)
        if m:
            op = "=" if m.group(2) in ("=", "==") else "!="
            reqs.append(Requirement(m.group(1), op, (m.group(3),)))
            continue
        m = re.fullmatch(rf"!\s*({_KEY})", term)
        if m:
            reqs.append(Requirement(m.group(1), "!exists"))
            continue
        m = re.fullmatch(rf"({_KEY})", term)
        if m:
            reqs.append(Requirement(m.group(1), "exists"))
            continue
        raise bad_request(f"unable to parse requirement: {term!r}")
    return reqs


def labels_match(reqs: list[Requirement], obj: dict[str, Any]) -> bool:
    """Return whether an object's labels satisfy every requirement."""
    labels = obj.get("metadata", {}).get("labels") or {}
    return all(r.matches(labels) for r in reqs)


def selector_from_label_selector(sel: dict[str, Any] | None) -> list[Requirement]:
    """Turn a ``metav1.LabelSelector`` (matchLabels/matchExpressions) into requirements."""
    if not sel:
        return []
    reqs = [Requirement(k, "=", (str(v),)) for k, v in (sel.get("matchLabels") or {}).items()]
    ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}
    for expr in sel.get("matchExpressions") or []:
        reqs.append(Requirement(expr["key"], ops[expr["operator"]], tuple(expr.get("values") or ())))
    return reqs


@dataclass
class FieldTerm:
    """One field selector term: ``path`` ``=``/``!=`` ``value``."""

    path: str
    negate: bool
    value: str


def parse_field_selector(text: str | None, allowed: Callable[[str], bool]) -> list[FieldTerm]:
    """Parse a field selector; 400 BadRequest for a field the resource does not support."""
    if not text:
        return []
    terms = []
    for term in _split_terms(text):
        m = re.fullmatch(r"([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)", term)
        if not m:
            raise bad_request(f"invalid selector: {term!r}; can't understand {term!r}")
        path = m.group(1)
        if not allowed(path):
            raise bad_request(f'field label not supported: {path}')
        terms.append(FieldTerm(path, m.group(2) == "!=", m.group(3)))
    return terms


def field_value(obj: dict[str, Any], path: str) -> str:
    """Return the string value at a dotted path (empty string when absent)."""
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def fields_match(terms: list[FieldTerm], obj: dict[str, Any]) -> bool:
    """Return whether an object satisfies every field term."""
    return all((field_value(obj, t.path) == t.value) != t.negate for t in terms)
