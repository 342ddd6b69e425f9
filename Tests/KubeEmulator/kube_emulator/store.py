"""Object storage with a global resourceVersion counter and a bounded event history.

Like etcd behind the real API server, every write gets a new, increasing
resourceVersion (RV). RVs are issued with random gaps so clients cannot do
arithmetic on them. The history keeps the last ``history`` events; watching or
listing exactly from an RV older than the history ("compacted") is answered
with 410 Expired.
"""

from __future__ import annotations

import copy
import random
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any, Iterable

from .errors import expired

Obj = dict[str, Any]


@dataclass
class Event:
    """One change: ``type`` is ADDED, MODIFIED or DELETED; ``old`` is the previous state."""

    rv: int
    resource: str
    type: str
    obj: Obj
    old: Obj | None


def obj_key(obj: Obj) -> tuple[str, str]:
    """Return (namespace, name) of an object."""
    meta = obj.get("metadata", {})
    return meta.get("namespace", ""), meta.get("name", "")


class Store:
    """Thread-safe store of all objects, keyed by resource (``group/plural``), namespace and name."""

    def __init__(self, history: int = 1000) -> None:
        self.cond = threading.Condition(threading.RLock())
        self._objects: dict[str, dict[tuple[str, str], Obj]] = {}
        self._by_uid: dict[str, tuple[str, str, str]] = {}
        self._rv = random.randint(1000, 5000)
        self._history: deque[Event] = deque()
        self._history_limit = max(1, history)
        self.compacted_rv = self._rv
        self.closed = False

    # ---- resourceVersions ----
    def current_rv(self) -> int:
        """Return the latest issued RV."""
        with self.cond:
            return self._rv

    def _next_rv(self) -> int:
        self._rv += random.randint(1, 7)
        return self._rv

    # ---- reads ----
    def get(self, resource: str, namespace: str, name: str) -> Obj | None:
        """Return a deep copy of one object, or None."""
        with self.cond:
            obj = self._objects.get(resource, {}).get((namespace, name))
            return copy.deepcopy(obj) if obj is not None else None

    def list(self, resource: str, namespace: str | None = None) -> tuple[list[Obj], int]:
        """Return deep copies of all objects of a resource (optionally in one namespace) and the RV."""
        with self.cond:
            items = [copy.deepcopy(o) for (ns, _), o in sorted(self._objects.get(resource, {}).items())
                     if namespace is None or ns == namespace]
            return items, self._rv

    def list_at(self, resource: str, namespace: str | None, rv: int) -> list[Obj]:
        """Return the objects as they were at ``rv`` (410 if the history no longer reaches it)."""
        with self.cond:
            if rv < self.compacted_rv:
                raise expired(f"too old resource version: {rv} ({self.compacted_rv})")
            state = {k: o for k, o in self._objects.get(resource, {}).items()}
            for ev in reversed(self._history):
                if ev.rv <= rv:
                    break
                if ev.resource != resource:
                    continue
                key = obj_key(ev.obj)
                if ev.type == "ADDED":
                    state.pop(key, None)
                elif ev.old is not None:
                    state[key] = ev.old
            return [copy.deepcopy(o) for (ns, _), o in sorted(state.items())
                    if namespace is None or ns == namespace]

    def find_uid(self, uid: str) -> tuple[str, str, str] | None:
        """Return (resource, namespace, name) of the object with ``uid``, or None."""
        with self.cond:
            return self._by_uid.get(uid)

    def resources(self) -> list[str]:
        """Return every resource key that has (or had) objects."""
        with self.cond:
            return list(self._objects)

    def all_objects(self, copies: bool = True) -> Iterable[tuple[str, Obj]]:
        """Return (resource, deep copy) for every stored object; ``copies=False`` returns the stored objects
        themselves, for a caller holding ``cond`` that only reads them (the garbage collector's sweep)."""
        with self.cond:
            if not copies:
                return [(r, o) for r, objs in self._objects.items() for o in objs.values()]
            return [(r, copy.deepcopy(o)) for r, objs in self._objects.items() for o in objs.values()]

    # ---- writes ----
    def put(self, resource: str, obj: Obj, event_type: str) -> Obj:
        """Store ``obj`` (ADDED or MODIFIED), give it a new RV, record the event; return a copy."""
        with self.cond:
            key = obj_key(obj)
            old = self._objects.setdefault(resource, {}).get(key)
            stored = copy.deepcopy(obj)
            rv = self._next_rv()
            stored["metadata"]["resourceVersion"] = str(rv)
            self._objects[resource][key] = stored
            uid = stored["metadata"].get("uid")
            if uid:
                self._by_uid[uid] = (resource, key[0], key[1])
            self._record(Event(rv, resource, event_type, stored, old))
            return copy.deepcopy(stored)

    def remove(self, resource: str, namespace: str, name: str) -> Obj | None:
        """Delete one object, record a DELETED event carrying the deletion RV; return it."""
        with self.cond:
            old = self._objects.get(resource, {}).pop((namespace, name), None)
            if old is None:
                return None
            gone = copy.deepcopy(old)
            rv = self._next_rv()
            gone["metadata"]["resourceVersion"] = str(rv)
            self._by_uid.pop(old["metadata"].get("uid", ""), None)
            self._record(Event(rv, resource, "DELETED", gone, old))
            return copy.deepcopy(gone)

    def _record(self, event: Event) -> None:
        self._history.append(event)
        while len(self._history) > self._history_limit:
            dropped = self._history.popleft()
            self.compacted_rv = dropped.rv
        self.cond.notify_all()

    # ---- history ----
    def events_after(self, rv: int) -> list[Event]:
        """Return events with RV greater than ``rv`` (410 Expired if compacted past it)."""
        with self.cond:
            if rv < self.compacted_rv:
                raise expired(f"too old resource version: {rv} ({self.compacted_rv})")
            # The history is in RV order: walk back from the newest (a watcher that is up to date costs O(new events),
            # not O(history), on every wake-up).
            newer: list[Event] = []
            for e in reversed(self._history):
                if e.rv <= rv:
                    break
                newer.append(e)
            newer.reverse()
            return newer

    def compact(self) -> None:
        """Forget all history (fault: expire RVs early); wakes watchers so they see 410."""
        with self.cond:
            self._history.clear()
            self.compacted_rv = self._next_rv()  # every RV issued so far is now too old
            self.cond.notify_all()

    def set_history_limit(self, limit: int) -> None:
        """Change the history window size."""
        with self.cond:
            self._history_limit = max(1, limit)
            while len(self._history) > self._history_limit:
                self.compacted_rv = self._history.popleft().rv

    def wait(self, timeout: float) -> None:
        """Block until any change (or timeout). Caller must hold ``cond``."""
        self.cond.wait(timeout)

    def close(self) -> None:
        """Wake every waiter and mark the store closed (server shutdown)."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()
