"""Server-side apply and ``managedFields`` bookkeeping (a simplified model of structured-merge-diff).

Each manager owns a set of leaf field paths. Lists of objects with a ``name`` are
keyed (``k:{"name":"x"}``); other lists are atomic. An apply that sets a field
owned by another manager to a different value is a 409 Conflict unless
``force=true``; fields a manager applied before and omits now are removed if no
one else owns them. Updates (PUT/PATCH/POST) take ownership of what they change.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .errors import ApiError

Path = tuple[str, ...]
_SKIP_META = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
              "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generateName"}


def leaf_paths(obj: Any, prefix: Path = ()) -> set[Path]:
    """Return the set of owned leaf paths in an object (see module doc)."""
    out: set[Path] = set()
    if isinstance(obj, dict):
        for key, value in obj.items():
            if not prefix and key in ("apiVersion", "kind"):
                continue
            if prefix == ("metadata",) and key in _SKIP_META:
                continue
            path = prefix + (key,)
            if isinstance(value, dict) and value:
                out |= leaf_paths(value, path)
            elif isinstance(value, list) and value and all(isinstance(i, dict) and "name" in i for i in value):
                for item in value:
                    item_path = path + ('k:' + json.dumps({"name": item["name"]}, separators=(",", ":")),)
                    out.add(item_path)
                    out |= leaf_paths({k: v for k, v in item.items() if k != "name"}, item_path)
            else:
                out.add(path)
    return out


def value_at(obj: Any, path: Path) -> Any:
    """Return the value at a leaf path, or a sentinel ``_MISSING``."""
    cur = obj
    for part in path:
        if part.startswith("k:") and isinstance(cur, list):
            name = json.loads(part[2:])["name"]
            cur = next((i for i in cur if isinstance(i, dict) and i.get("name") == name), _MISSING)
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return _MISSING
        if cur is _MISSING:
            return _MISSING
    return cur


_MISSING = object()


def remove_path(obj: Any, path: Path) -> None:
    """Remove the field (or keyed list item) at ``path`` if present."""
    cur = obj
    for part in path[:-1]:
        if part.startswith("k:") and isinstance(cur, list):
            name = json.loads(part[2:])["name"]
            cur = next((i for i in cur if isinstance(i, dict) and i.get("name") == name), None)
        elif isinstance(cur, dict):
            cur = cur.get(part)
        else:
            return
        if cur is None:
            return
    last = path[-1]
    if last.startswith("k:") and isinstance(cur, list):
        name = json.loads(last[2:])["name"]
        cur[:] = [i for i in cur if not (isinstance(i, dict) and i.get("name") == name)]
    elif isinstance(cur, dict):
        cur.pop(last, None)


def apply_merge(current: Any, applied: Any) -> Any:
    """Merge an applied configuration into the live object (keyed lists merge by name)."""
    if not isinstance(applied, dict) or not isinstance(current, dict):
        return copy.deepcopy(applied)
    out = copy.deepcopy(current)
    for key, value in applied.items():
        cur = out.get(key)
        if isinstance(value, list) and isinstance(cur, list) and value and \
                all(isinstance(i, dict) and "name" in i for i in value + cur):
            merged = [copy.deepcopy(i) for i in cur]
            for item in value:
                idx = next((n for n, c in enumerate(merged) if c["name"] == item["name"]), None)
                if idx is None:
                    merged.append(copy.deepcopy(item))
                else:
                    merged[idx] = apply_merge(merged[idx], item)
            out[key] = merged
        else:
            out[key] = apply_merge(cur, value)
    return out


# ---- fieldsV1 encoding ----
def to_fields_v1(paths: set[Path]) -> dict[str, Any]:
    """Encode leaf paths as a ``fieldsV1`` tree (``f:spec: {f:schedule: {}}``)."""
    tree: dict[str, Any] = {}
    for path in sorted(paths):
        node = tree
        for part in path:
            node = node.setdefault(part if part.startswith("k:") else "f:" + part, {})
    return tree


def from_fields_v1(tree: dict[str, Any], prefix: Path = ()) -> set[Path]:
    """Decode a ``fieldsV1`` tree back into leaf paths."""
    out: set[Path] = set()
    for key, sub in tree.items():
        if key == ".":
            continue
        part = key[2:] if key.startswith("f:") else key
        path = prefix + (part,)
        if key.startswith("k:"):
            out.add(path)
        if sub:
            out |= from_fields_v1(sub, path)
        elif not key.startswith("k:"):
            out.add(path)
    return out


def _entries(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return obj.get("metadata", {}).get("managedFields") or []


def _set_entry(entries: list[dict[str, Any]], manager: str, operation: str, api_version: str,
               paths: set[Path], now: str, subresource: str) -> list[dict[str, Any]]:
    kept = [e for e in entries if not (e.get("manager") == manager and e.get("operation") == operation
                                       and e.get("subresource", "") == subresource)]
    if paths:
        entry = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": now,
                 "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(paths)}
        if subresource:
            entry["subresource"] = subresource
        kept.append(entry)
    return kept


def _strip(entries: list[dict[str, Any]], paths: set[Path], except_manager: str | None = None,
           except_op: str | None = None) -> list[dict[str, Any]]:
    out = []
    for e in entries:
        if e.get("manager") == except_manager and e.get("operation") == except_op:
            out.append(e)
            continue
        remaining = from_fields_v1(e.get("fieldsV1") or {}) - paths
        if remaining:
            e = dict(e, fieldsV1=to_fields_v1(remaining))
            out.append(e)
    return out


def record_update(old: dict[str, Any] | None, new: dict[str, Any], manager: str, api_version: str,
                  now: str, subresource: str = "") -> None:
    """Give ``manager`` (operation Update) ownership of every leaf it changed; mutates ``new``."""
    entries = copy.deepcopy(_entries(old) if old else [])
    new_paths = leaf_paths(new)
    if old is None:
        changed = new_paths
    else:
        changed = {p for p in new_paths if value_at(old, p) != value_at(new, p)}
    gone = (leaf_paths(old) - new_paths) if old else set()
    entries = _strip(entries, changed | gone)
    mine = next((from_fields_v1(e.get("fieldsV1") or {}) for e in entries
                 if e.get("manager") == manager and e.get("operation") == "Update"), set())
    entries = _set_entry(entries, manager, "Update", api_version, (mine | changed) - gone, now, subresource)
    new.setdefault("metadata", {})["managedFields"] = entries


def server_side_apply(current: dict[str, Any] | None, applied: dict[str, Any], manager: str, force: bool,
                      api_version: str, now: str, resource_ref: str, name: str) -> dict[str, Any]:
    """Return the object after ``manager`` applies ``applied`` to ``current`` (None = create)."""
    new_paths = leaf_paths(applied)
    if current is None:
        result = copy.deepcopy(applied)
        result.setdefault("metadata", {})["managedFields"] = _set_entry([], manager, "Apply", api_version, new_paths, now, "")
        return result
    entries = copy.deepcopy(_entries(current))
    conflicts: list[tuple[str, Path]] = []
    for e in entries:
        if e.get("manager") == manager and e.get("operation") == "Apply":
            continue
        for p in from_fields_v1(e.get("fieldsV1") or {}) & new_paths:
            if value_at(current, p) != value_at(applied, p):
                conflicts.append((e.get("manager", ""), p))
    if conflicts and not force:
        text = "; ".join(f'conflict with "{m}": .{".".join(p)}' for m, p in sorted(conflicts))
        raise ApiError(409, f"Apply failed with {len(conflicts)} conflict{'s' if len(conflicts) > 1 else ''}: {text}",
                       "Conflict", {"name": name, "kind": resource_ref,
                                    "causes": [{"reason": "FieldManagerConflict", "message": f'conflict with "{m}"',
                                                "field": "." + ".".join(p)} for m, p in conflicts]})
    previous = next((from_fields_v1(e.get("fieldsV1") or {}) for e in entries
                     if e.get("manager") == manager and e.get("operation") == "Apply"), set())
    others: set[Path] = set()
    for e in entries:
        if not (e.get("manager") == manager and e.get("operation") == "Apply"):
            others |= from_fields_v1(e.get("fieldsV1") or {})
    result = apply_merge(current, applied)
    for p in sorted(previous - new_paths - others, key=len, reverse=True):
        remove_path(result, p)
    if force:
        entries = _strip(entries, {p for _, p in conflicts})
    entries = _set_entry(entries, manager, "Apply", api_version, new_paths, now, "")
    result.setdefault("metadata", {})["managedFields"] = entries
    return result
