"""The CronJob and Job controllers, and the loop that drives them with the kubelet.

CronJob: on each step, the most recent missed schedule time after
``status.lastScheduleTime`` (or creation) up to now starts a Job named
``<cronjob>-<unix minutes>`` from ``jobTemplate`` (owner reference to the
CronJob), honouring ``suspend``, ``concurrencyPolicy`` (Forbid skips while a Job
is active and retries later, like the real controller; Replace deletes the
active Jobs), ``startingDeadlineSeconds`` and the history limits.

Job: creates Pods up to ``parallelism`` until ``completions`` succeed
(``completionMode: Indexed`` gives each Pod an index), counts failures against
``backoffLimit`` after ``podFailurePolicy`` (``onExitCodes`` rules: ``FailJob`` ends
the Job at once with reason ``PodFailurePolicy``, ``Ignore`` does not count the
failure, ``Count`` counts it; ``onPodConditions`` rules are not evaluated), honours
``activeDeadlineSeconds`` and ``suspend``, and keeps
``status`` (active, ready, succeeded, failed, startTime, completionTime,
completedIndexes, conditions Complete/Failed) up to date.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from . import cron
from .api import Api
from .clock import parse_time, rfc3339
from .errors import ApiError
from .kubelet import INDEX_ANNOTATION, Kubelet
from .objects import Target, WriteOptions

SCHEDULED_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"


def _owned_by(obj: dict[str, Any], uid: str) -> bool:
    return any(r.get("uid") == uid for r in obj["metadata"].get("ownerReferences") or [])


def _condition(obj: dict[str, Any], ctype: str) -> bool:
    return any(c.get("type") == ctype and c.get("status") == "True" for c in (obj.get("status") or {}).get("conditions") or [])


def job_finished(job: dict[str, Any]) -> str | None:
    """Return ``Complete`` or ``Failed`` for a finished Job, else None."""
    for ctype in ("Complete", "Failed"):
        if _condition(job, ctype):
            return ctype
    return None


def _pod_failure_rule(job: dict[str, Any], pod: dict[str, Any]) -> tuple[int, dict[str, Any], str, int] | None:
    """The first ``podFailurePolicy`` rule whose ``onExitCodes`` matches a failed Pod's container:
    (rule index, rule, container name, exit code); None when none matches."""
    rules = ((job["spec"].get("podFailurePolicy") or {}).get("rules")) or []
    for status in pod.get("status", {}).get("containerStatuses") or []:
        code = ((status.get("state") or {}).get("terminated") or {}).get("exitCode")
        if not code:
            continue
        for index, rule in enumerate(rules):
            on = rule.get("onExitCodes")
            if not on or on.get("containerName") not in (None, status.get("name")):
                continue
            listed = code in (on.get("values") or [])
            if listed == (on.get("operator") == "In"):
                return index, rule, status.get("name", ""), code
    return None


def _owner_ref(obj: dict[str, Any], api_version: str, kind: str) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "name": obj["metadata"]["name"], "uid": obj["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}


def _ranges(indexes: list[int]) -> str:
    """Format completed indexes as ``1,3-5,7``."""
    out, run = [], []
    for i in sorted(set(indexes)):
        if run and i == run[-1] + 1:
            run.append(i)
        else:
            if run:
                out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
            run = [i]
    if run:
        out.append(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}")
    return ",".join(out)


class BatchController:
    """Runs the CronJob controller, Job controller and kubelet, on a timer or when stepped."""

    def __init__(self, api: Api, kubelet: Kubelet, interval: float = 0.2, auto: bool = True) -> None:
        self.api = api
        self.kubelet = kubelet
        self.interval = interval
        self.auto = auto
        self._step_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="batch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.kubelet.stop_all()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self.auto:
                try:
                    self.step()
                except Exception:  # keep the loop alive; errors surface in object status
                    import traceback
                    traceback.print_exc()

    def step(self) -> None:
        """One round: schedule CronJobs, manage Jobs, run/poll processes, then Jobs again."""
        with self._step_lock:
            self._cronjobs()
            self._jobs()
            self.kubelet.step()
            self._jobs()
            self._cronjobs(schedule=False)

    def _rt(self, key: str):
        return self.api.registry.by_key(key)

    # ---------------------------------------------------------------- CronJob
    def run_now(self, namespace: str, name: str, job_name: str | None = None) -> dict[str, Any]:
        """Create a Job from a CronJob's template now (like ``kubectl create job --from``)."""
        cj = self.api.store.get("batch/cronjobs", namespace, name)
        if cj is None:
            raise ApiError(404, f'cronjobs.batch "{name}" not found', "NotFound", {"name": name, "group": "batch", "kind": "cronjobs"})
        return self._create_job(cj, job_name or f"{name}-manual-{int(self.api.clock.now()) % 100000}", None,
                                {"cronjob.kubernetes.io/instantiate": "manual"})

    def _create_job(self, cj: dict[str, Any], name: str, scheduled: float | None,
                    annotations: dict[str, str]) -> dict[str, Any]:
        template = copy.deepcopy(cj["spec"].get("jobTemplate") or {})
        meta = template.get("metadata") or {}
        job = {
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": cj["metadata"]["namespace"], "labels": meta.get("labels") or {},
                         "annotations": {**(meta.get("annotations") or {}), **annotations},
                         "ownerReferences": [_owner_ref(cj, "batch/v1", "CronJob")]},
            "spec": template.get("spec") or {},
        }
        if scheduled is not None:
            job["metadata"]["annotations"][SCHEDULED_ANNOTATION] = rfc3339(scheduled)
        return self.api.create(Target(self._rt("batch/jobs"), "v1", cj["metadata"]["namespace"]), job,
                               WriteOptions(manager="cronjob-controller"))

    def _cronjobs(self, schedule: bool = True) -> None:
        cronjobs, _ = self.api.store.list("batch/cronjobs")
        jobs, _ = self.api.store.list("batch/jobs")
        now = self.api.clock.now()
        for cj in cronjobs:
            if cj["metadata"].get("deletionTimestamp"):
                continue
            try:
                self._sync_cronjob(cj, [j for j in jobs if _owned_by(j, cj["metadata"]["uid"])], now, schedule)
            except (ApiError, cron.CronError):
                continue

    def _sync_cronjob(self, cj: dict[str, Any], jobs: list[dict[str, Any]], now: float, schedule: bool) -> None:
        spec, status = cj["spec"], dict(cj.get("status") or {})
        active = [j for j in jobs if not job_finished(j) and not j["metadata"].get("deletionTimestamp")]
        for j in jobs:
            if job_finished(j) == "Complete":
                done = j.get("status", {}).get("completionTime")
                if done and (parse_time(done) or 0) > (parse_time(status.get("lastSuccessfulTime", "")) or 0):
                    status["lastSuccessfulTime"] = done
        if schedule and not spec.get("suspend"):
            sched = cron.parse(spec["schedule"], spec.get("timeZone"))
            since = parse_time(status.get("lastScheduleTime") or "") or parse_time(cj["metadata"]["creationTimestamp"]) or now
            latest, t = None, sched.next_after(since)
            for _ in range(1000):
                if t > now:
                    break
                latest, t = t, sched.next_after(t)
            deadline = spec.get("startingDeadlineSeconds")
            if latest is not None and (deadline is None or now - latest <= deadline):
                policy = spec.get("concurrencyPolicy", "Allow")
                if policy == "Forbid" and active:
                    pass  # skipped; retried on a later step while the schedule time is still missed
                else:
                    if policy == "Replace":
                        for j in active:
                            self.api.delete_object(self._rt("batch/jobs"), j, "Background")
                        active = []
                    try:
                        created = self._create_job(cj, f"{cj['metadata']['name']}-{int(latest // 60)}", latest, {})
                        active.append(self.api.store.get("batch/jobs", cj["metadata"]["namespace"], created["metadata"]["name"]) or created)
                    except ApiError as exc:
                        if exc.code != 409:
                            raise
                    status["lastScheduleTime"] = rfc3339(latest)
            elif latest is not None:
                status["lastScheduleTime"] = status.get("lastScheduleTime")  # missed its deadline: not started
        status["active"] = [{"kind": "Job", "namespace": j["metadata"]["namespace"], "name": j["metadata"]["name"],
                             "uid": j["metadata"]["uid"], "apiVersion": "batch/v1",
                             "resourceVersion": j["metadata"]["resourceVersion"]} for j in active]
        if not status["active"]:
            status.pop("active")
        status = {k: v for k, v in status.items() if v is not None}
        if status != (cj.get("status") or {}):
            cj["status"] = status
            self.api.update(Target(self._rt("batch/cronjobs"), "v1", cj["metadata"]["namespace"], cj["metadata"]["name"], "status"),
                            cj, WriteOptions(manager="cronjob-controller"))
        self._prune_history(cj, jobs)

    def _prune_history(self, cj: dict[str, Any], jobs: list[dict[str, Any]]) -> None:
        for outcome, limit_field in (("Complete", "successfulJobsHistoryLimit"), ("Failed", "failedJobsHistoryLimit")):
            limit = cj["spec"].get(limit_field)
            if limit is None:
                continue
            finished = sorted((j for j in jobs if job_finished(j) == outcome and not j["metadata"].get("deletionTimestamp")),
                              key=lambda j: (j.get("status", {}).get("startTime") or j["metadata"]["creationTimestamp"],
                                             j["metadata"]["creationTimestamp"]))
            for j in finished[:max(0, len(finished) - limit)]:
                self.api.delete_object(self._rt("batch/jobs"), j, "Background")

    # ---------------------------------------------------------------- Job
    def _jobs(self) -> None:
        jobs, _ = self.api.store.list("batch/jobs")
        pods, _ = self.api.store.list("/pods")
        for job in jobs:
            if job["metadata"].get("deletionTimestamp") or job_finished(job):
                continue
            try:
                self._sync_job(job, [p for p in pods if _owned_by(p, job["metadata"]["uid"])])
            except ApiError:
                continue

    def _sync_job(self, job: dict[str, Any], pods: list[dict[str, Any]]) -> None:
        spec, status = job["spec"], dict(job.get("status") or {})
        now = self.api.clock.now()
        pod_rt = self._rt("/pods")
        live = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        phase = lambda p: p.get("status", {}).get("phase", "Pending")  # noqa: E731
        active = [p for p in live if phase(p) in ("Pending", "Running")]
        succeeded = [p for p in pods if phase(p) == "Succeeded"]
        failed = [p for p in pods if phase(p) == "Failed"]
        restarts = sum(s.get("restartCount", 0) for p in pods for s in p.get("status", {}).get("containerStatuses") or [])
        indexed = spec.get("completionMode") == "Indexed"
        completions = spec.get("completions")
        parallelism = spec.get("parallelism", 1)
        index_of = lambda p: int((p["metadata"].get("annotations") or {}).get(INDEX_ANNOTATION, "-1"))  # noqa: E731
        done_indexes = sorted({index_of(p) for p in succeeded}) if indexed else []
        conditions = list(status.get("conditions") or [])
        finished = None
        matched = [(p, m) for p in failed if (m := _pod_failure_rule(job, p))]
        ignored = sum(1 for _, m in matched if m[1].get("action") == "Ignore")  # not counted, as in Kubernetes
        if spec.get("suspend"):
            for p in active:
                self.api.delete_object(pod_rt, p, "Background")
            active = []
            if not _condition(job, "Suspended"):
                conditions.append({"type": "Suspended", "status": "True", "reason": "JobSuspended",
                                   "message": "Job suspended", "lastProbeTime": rfc3339(now), "lastTransitionTime": rfc3339(now)})
        else:
            conditions = [c for c in conditions if c.get("type") != "Suspended"]
            status.setdefault("startTime", rfc3339(now))
            start = parse_time(status["startTime"]) or now
            fail_job = next(((p, m) for p, m in matched if m[1].get("action") == "FailJob"), None)
            if fail_job:
                pod, (index, _, container, code) = fail_job
                finished = ("Failed", "PodFailurePolicy", f"Container {container} for pod {pod['metadata']['namespace']}/"
                            f"{pod['metadata']['name']} failed with exit code {code} matching FailJob rule at index {index}")
            elif len(failed) - ignored + restarts > spec.get("backoffLimit", 6):
                finished = ("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")
            elif spec.get("activeDeadlineSeconds") and now - start > spec["activeDeadlineSeconds"]:
                finished = ("Failed", "DeadlineExceeded", "Job was active longer than specified deadline")
            elif indexed and len(done_indexes) >= completions:
                finished = ("Complete", None, None)
            elif not indexed and completions is not None and len(succeeded) >= completions:
                finished = ("Complete", None, None)
            elif not indexed and completions is None and succeeded and not active:
                finished = ("Complete", None, None)
            if finished is None:
                self._create_pods(job, active, succeeded, done_indexes, parallelism, completions, indexed)
                active = [p for p in self.api.store.list("/pods", job["metadata"]["namespace"])[0]
                          if _owned_by(p, job["metadata"]["uid"]) and not p["metadata"].get("deletionTimestamp")
                          and phase(p) in ("Pending", "Running")]
            else:
                for p in active:
                    self.api.delete_object(pod_rt, p, "Background")
                active = []
                ctype, reason, message = finished
                cond = {"type": ctype, "status": "True", "lastProbeTime": rfc3339(now), "lastTransitionTime": rfc3339(now)}
                if reason:
                    cond.update(reason=reason, message=message)
                conditions.append(cond)
                if ctype == "Complete":
                    status["completionTime"] = rfc3339(now)
        status.update({"active": len(active), "succeeded": len(succeeded), "failed": len(failed) - ignored,
                       "ready": sum(1 for p in active if phase(p) == "Running"), "terminating": 0,
                       "uncountedTerminatedPods": {}})
        if indexed:
            status["completedIndexes"] = _ranges(done_indexes)
        for key in ("active", "succeeded", "failed"):
            if not status[key]:
                status.pop(key)
        if conditions:
            status["conditions"] = conditions
        if status != (job.get("status") or {}):
            job["status"] = status
            self.api.update(Target(self._rt("batch/jobs"), "v1", job["metadata"]["namespace"], job["metadata"]["name"], "status"),
                            job, WriteOptions(manager="job-controller"))

    def _create_pods(self, job: dict[str, Any], active: list[dict[str, Any]], succeeded: list[dict[str, Any]],
                     done_indexes: list[int], parallelism: int, completions: int | None, indexed: bool) -> None:
        room = parallelism - len(active)
        if indexed:
            busy = {int((p["metadata"].get("annotations") or {}).get(INDEX_ANNOTATION, "-1")) for p in active}
            todo = [i for i in range(completions or 0) if i not in done_indexes and i not in busy]
        else:
            left = (completions - len(succeeded) - len(active)) if completions is not None else (0 if succeeded else room)
            todo = [None] * max(0, min(room, left))
        for index in todo[:max(0, room)]:
            self._create_pod(job, index)

    def _create_pod(self, job: dict[str, Any], index: int | None) -> None:
        template = copy.deepcopy(job["spec"].get("template") or {})
        meta = template.get("metadata") or {}
        name = job["metadata"]["name"]
        pod = {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"generateName": f"{name}-" if index is None else f"{name}-{index}-",
                         "namespace": job["metadata"]["namespace"],
                         "labels": dict(meta.get("labels") or {}), "annotations": dict(meta.get("annotations") or {}),
                         "ownerReferences": [_owner_ref(job, "batch/v1", "Job")],
                         "finalizers": []},
            "spec": {**(template.get("spec") or {}), "nodeName": "kube-emulator"},
        }
        if index is not None:
            pod["metadata"]["annotations"][INDEX_ANNOTATION] = str(index)
            pod["metadata"]["labels"][INDEX_ANNOTATION] = str(index)
            pod["spec"]["hostname"] = f"{name}-{index}"
        self.api.create(Target(self._rt("/pods"), "v1", job["metadata"]["namespace"]), pod, WriteOptions(manager="job-controller"))
