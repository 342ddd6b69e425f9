"""Garbage collector and finalizer processing, run on a background thread.

- Dependents whose owners (by uid) are all gone are deleted (background);
  dangling owner references beside a live owner are dropped.
- ``foregroundDeletion``: dependents of a terminating owner are deleted; the
  finalizer is removed once none remain, which deletes the owner.
- ``orphan``: the owner reference is removed from dependents, then the finalizer.
- Terminating namespaces are emptied, then removed.
- Terminating CRDs (``customresourcecleanup`` finalizer) lose their instances first.
"""

from __future__ import annotations

import threading
from typing import Any

from .api import CRD_CLEANUP, CRD_KEY, NS_KEY, Api
from .errors import ApiError
from .objects import Target
from .store import Event, obj_key


class GarbageCollector:
    """Sweeps the store after a deletion or a terminating object until nothing more is to be done; after
    other changes looks only at the changed objects' owners (the full sweep is O(objects) per change)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self._thread = threading.Thread(target=self._run, name="gc", daemon=True)
        self._stop = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop = True

    def _run(self) -> None:
        store = self.api.store
        seen: int | None = None  # None: sweep everything
        while not self._stop and not store.closed:
            events: list[Event] | None = None
            with store.cond:
                current = store.current_rv()
                if current == seen:
                    store.wait(0.5)
                    continue
                if seen is not None:
                    try:
                        events = store.events_after(seen)
                    except ApiError:  # the history no longer reaches back: look at everything
                        events = None
            try:
                if events is None or any(self._needs_sweep(ev) for ev in events):
                    while self.sweep():
                        pass
                else:
                    for ev in events:
                        self._check_owners(ev)
            except Exception:  # never let the GC thread die; the next change retries
                pass
            seen = current

    @staticmethod
    def _needs_sweep(ev: Event) -> bool:
        """Whether a change can leave work beyond its own object: a deletion (dependents may be orphaned) or
        an object now terminating (finalizers, foreground/orphan deletion, namespace or CRD cleanup)."""
        return ev.type == "DELETED" or bool(ev.obj["metadata"].get("deletionTimestamp"))

    def _check_owners(self, ev: Event) -> None:
        """An object added or changed with owner references: delete it when every owner is gone, drop the
        dangling references beside a live owner. The full sweep does the same for every object; doing it
        for the changed object only keeps a busy store from being scanned whole after every write."""
        refs = ev.obj["metadata"].get("ownerReferences") or []
        if not refs:
            return
        store = self.api.store
        with store.cond:
            namespace, name = obj_key(ev.obj)
            cur = store.get(ev.resource, namespace, name)
            if cur is None or cur["metadata"].get("uid") != ev.obj["metadata"].get("uid"):
                return
            refs = cur["metadata"].get("ownerReferences") or []
            alive = [r for r in refs if store.find_uid(r.get("uid", "")) is not None]
            if refs and not alive:
                self._delete(ev.resource, cur)
            elif len(alive) < len(refs):
                self._update_meta(ev.resource, cur, ownerReferences=alive)

    def _rt(self, key: str):
        return self.api.registry.by_key(key)

    def _update_meta(self, key: str, obj: dict[str, Any], **changes: Any) -> None:
        rt = self._rt(key)
        if rt is None:
            return
        with self.api.store.cond:
            cur = self.api.store.get(key, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
            if cur is None or cur["metadata"].get("uid") != obj["metadata"].get("uid"):
                return
            cur["metadata"].update(changes)
            if cur["metadata"].get("deletionTimestamp") and not cur["metadata"].get("finalizers"):
                self.api._remove(rt, cur)
            else:
                self.api.store.put(key, cur, "MODIFIED")

    def _delete(self, key: str, obj: dict[str, Any], policy: str = "Background") -> None:
        rt = self._rt(key)
        if rt is None:
            return
        cur = self.api.store.get(key, obj["metadata"].get("namespace", ""), obj["metadata"]["name"])
        if cur is None or cur["metadata"].get("deletionTimestamp"):
            return
        try:
            self.api.delete_object(rt, cur, policy)
        except ApiError:
            pass

    def sweep(self) -> bool:
        """One pass; returns whether anything changed."""
        store = self.api.store
        with store.cond:
            objects = list(store.all_objects(copies=False))  # read only; writes go through get/put
            uids = {o["metadata"].get("uid"): (k, o) for k, o in objects}
            dependents: dict[str, list[tuple[str, dict[str, Any]]]] = {}
            for key, obj in objects:
                for ref in obj["metadata"].get("ownerReferences") or []:
                    dependents.setdefault(ref.get("uid"), []).append((key, obj))
            for key, obj in objects:
                m = obj["metadata"]
                refs = m.get("ownerReferences") or []
                if refs:
                    alive = [r for r in refs if r.get("uid") in uids]
                    if not alive:
                        self._delete(key, obj)
                        return True
                    if len(alive) < len(refs):
                        self._update_meta(key, obj, ownerReferences=alive)
                        return True
                if not m.get("deletionTimestamp"):
                    continue
                finalizers = list(m.get("finalizers") or [])
                deps = dependents.get(m.get("uid"), [])
                if "orphan" in finalizers:
                    for dkey, dep in deps:
                        left = [r for r in dep["metadata"]["ownerReferences"] if r.get("uid") != m.get("uid")]
                        self._update_meta(dkey, dep, ownerReferences=left)
                    finalizers.remove("orphan")
                    self._update_meta(key, obj, finalizers=finalizers)
                    return True
                if "foregroundDeletion" in finalizers:
                    if deps:
                        pending = [d for d in deps if not d[1]["metadata"].get("deletionTimestamp")]
                        for dkey, dep in pending:
                            self._delete(dkey, dep, "Foreground")
                        if pending:
                            return True
                        continue
                    finalizers.remove("foregroundDeletion")
                    self._update_meta(key, obj, finalizers=finalizers)
                    return True
                if key == CRD_KEY and CRD_CLEANUP in finalizers:
                    spec = obj["spec"]
                    instance_key = f"{spec['group']}/{spec['names']['plural']}"
                    instances = [o for k, o in objects if k == instance_key]
                    if instances:
                        for inst in instances:
                            self._delete(instance_key, inst)
                        if any(not i["metadata"].get("deletionTimestamp") for i in instances):
                            return True
                        continue
                    finalizers.remove(CRD_CLEANUP)
                    self._update_meta(key, obj, finalizers=finalizers)
                    return True
                if key == NS_KEY:
                    contents = [(k, o) for k, o in objects if o["metadata"].get("namespace") == m["name"]]
                    if contents:
                        pending = [(k, o) for k, o in contents if not o["metadata"].get("deletionTimestamp")]
                        for k, o in pending:
                            self._delete(k, o)
                        if pending:
                            return True
                        continue
                    if not finalizers:
                        rt = self._rt(NS_KEY)
                        if rt is not None:
                            self.api._remove(rt, obj)
                        return True
        return False
