"""Watch streams: newline-delimited JSON events after a resourceVersion.

``resourceVersion`` empty or ``0`` starts with synthetic ADDED events for what
exists; ``sendInitialEvents=true`` does the same and ends the initial batch with
a BOOKMARK annotated ``k8s.io/initial-events-end``. A too-old RV yields an ERROR
event carrying a 410 ``Expired`` Status. Label/field selectors apply to both the
old and the new state, so an object leaving the selection is seen as DELETED
and one entering it as ADDED, like the real watch cache.
"""

from __future__ import annotations

import random
import time
from typing import Any, Callable, Iterator

from .api import Api, parse_rv
from .errors import ApiError
from .faults import Faults
from .objects import GO_TRUE, Target, external
from .selection import fields_match, labels_match, parse_field_selector, parse_label_selector

Render = Callable[[dict[str, Any]], dict[str, Any]]


class DropConnection(Exception):
    """Raised to make the HTTP layer cut the connection without ending the chunked body."""


def _status_event(err: ApiError) -> dict[str, Any]:
    return {"type": "ERROR", "object": err.status()}


def stream(api: Api, faults: Faults, t: Target, query: dict[str, str], render: Render,
           bookmark_interval: float, path: str) -> Iterator[dict[str, Any]]:
    """Yield watch events for ``t`` until timeout, error, fault or shutdown."""
    store = api.store
    labels = parse_label_selector(query.get("labelSelector"))
    fields = parse_field_selector(query.get("fieldSelector"), t.rt.supports_field)
    bookmarks = query.get("allowWatchBookmarks") in GO_TRUE
    timeout = float(query.get("timeoutSeconds") or 1800 * (1 + random.random()))
    deadline = time.monotonic() + timeout
    drop_after = faults.watch_drop_for(path)
    drop_epoch = faults.drop_epoch
    ns = t.namespace

    def selected(obj: dict[str, Any] | None) -> bool:
        if obj is None:
            return False
        if ns and obj["metadata"].get("namespace") != ns:
            return False
        if t.name and obj["metadata"].get("name") != t.name:
            return False
        return labels_match(labels, obj) and fields_match(fields, obj)

    sent = 0

    def emit(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        nonlocal sent
        sent += 1
        return {"type": kind, "object": render(external(t.rt, t.version, obj))}

    def bookmark(rv: int, initial_end: bool = False) -> dict[str, Any]:
        m: dict[str, Any] = {"resourceVersion": str(rv)}
        if initial_end:
            m["annotations"] = {"k8s.io/initial-events-end": "true"}
        return {"type": "BOOKMARK", "object": {"kind": t.rt.kind, "apiVersion": t.rt.api_version(t.version), "metadata": m}}

    try:
        want = parse_rv(query.get("resourceVersion"))
    except ApiError as err:
        yield _status_event(err)
        return
    initial = want in (None, 0) or query.get("sendInitialEvents") in GO_TRUE
    with store.cond:
        if initial:
            items, cursor = store.list(t.rt.key, ns or None)
            first: list[dict[str, Any]] | None = [o for o in items if selected(o)]
        else:
            cursor, first = want, []
            if cursor < store.compacted_rv:
                gone = ApiError(410, f"too old resource version: {cursor} ({store.compacted_rv})", "Expired")
                first = None
    if first is None:
        yield _status_event(gone)
        return
    for obj in first:
        yield emit("ADDED", obj)
        if drop_after is not None and sent >= drop_after:
            raise DropConnection()
    if query.get("sendInitialEvents") in GO_TRUE and bookmarks:
        yield bookmark(cursor, initial_end=True)
    if drop_after == 0:
        raise DropConnection()
    last_activity = time.monotonic()
    while True:
        out: list[tuple[str, dict[str, Any]]] = []
        terminal: dict[str, Any] | None = None
        with store.cond:
            while True:
                now = time.monotonic()
                if store.closed or now >= deadline:
                    return
                if faults.drop_epoch != drop_epoch:
                    raise DropConnection()
                try:  # after a compaction (the expire fault) every open watch's cursor is too old: 410
                    events = store.events_after(cursor)
                except ApiError as err:
                    terminal = _status_event(err)
                    break
                if events:
                    break
                if bookmarks and now - last_activity >= bookmark_interval:
                    break
                store.wait(min(deadline - now, 0.5, bookmark_interval if bookmarks else 0.5))
            if terminal is None:
                for ev in events:
                    cursor = ev.rv
                    if ev.resource != t.rt.key:
                        continue
                    was, now_in = selected(ev.old), selected(ev.obj)
                    if ev.type == "ADDED" and now_in:
                        out.append(("ADDED", ev.obj))
                    elif ev.type == "DELETED" and was:
                        out.append(("DELETED", ev.obj))
                    elif ev.type == "MODIFIED":
                        if was and now_in:
                            out.append(("MODIFIED", ev.obj))
                        elif now_in:
                            out.append(("ADDED", ev.obj))
                        elif was:
                            out.append(("DELETED", ev.obj))
        if terminal is not None:
            yield terminal
            return
        if not out and bookmarks and time.monotonic() - last_activity >= bookmark_interval:
            last_activity = time.monotonic()
            yield bookmark(cursor)
            continue
        for kind, obj in out:
            last_activity = time.monotonic()
            yield emit(kind, obj)
            if drop_after is not None and sent >= drop_after:
                raise DropConnection()
