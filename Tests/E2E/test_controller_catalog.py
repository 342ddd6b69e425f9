"""`pybak controller` with the PostgreSQL catalog, against the emulator, real kubectl and a real PostgreSQL server:
a worker run's files, bytes and ratio reach `kubectl get backuppolicies`; the observed state lands in the
`policies` table (read with psql) and `pybak serve` answers `/status` from PostgreSQL alone; `/metrics`
counts reconciles; states of policies deleted while no controller ran are removed at start."""
import json
import os
import re
import signal
import subprocess

import pytest

from controller_support import fetch, free_port, get, install_crd, start_controller, stop, wait_for
from test_controller import POLICY
from test_operator_worker import admin, emulator, kubectl, stored, wait_job, write_files  # noqa: F401 (fixture)
from test_postgres import fresh_schema, psql


@pytest.fixture
def database():
    base = os.environ.get("PYBAK_TEST_DATABASE_URL")
    if not base:
        pytest.fail("PYBAK_TEST_DATABASE_URL is not set: `export PYBAK_TEST_DATABASE_URL=$(bash .ci/postgres start)` (bash .ci/run does this)")
    return fresh_schema(base)


def columns(table):
    """`kubectl get` output as dicts by header (columns are separated by 2+ spaces)."""
    import re
    lines = table.strip().splitlines()
    header = re.split(r"\s{2,}", lines[0].strip())
    return [dict(zip(header, re.split(r"\s{2,}", line.strip()))) for line in lines[1:]]


def test_catalog_counts_reach_kubectl_and_the_sidecar_serves_status_from_postgres(pybak, emulator, database, tmp_path):
    url, kubeconfig, volumes = emulator
    install_crd(kubeconfig)
    # The worker Pods get the catalog URL from this Secret (--database-secret), the controller from --database.
    kubectl(kubeconfig, "create", "secret", "generic", "pybak-database", f"--from-literal=url={database}")
    controller = start_controller(pybak, kubeconfig, tmp_path / "controller.log", "--database", database, "--database-secret", "pybak-database:url")
    serve = None
    try:
        data = write_files(volumes / "inbox" / "incoming", 12)
        (volumes / "archive").mkdir(parents=True, exist_ok=True)
        policy = tmp_path / "policy.yaml"
        policy.write_text(POLICY)
        kubectl(kubeconfig, "apply", "-f", str(policy))
        wait_for(lambda: get(kubeconfig, "cronjob", "invoices"), what="the CronJob")
        admin(url, "cronjobs/default/invoices/run", {"jobName": "invoices-now"})
        _, conditions = wait_job(kubeconfig, "invoices-now")
        assert conditions == {"Complete"}, kubectl(kubeconfig, "logs", "job/invoices-now")
        assert stored(volumes / "archive" / "backups") == data

        # The catalog's counts in the status, as the worker recorded them.
        runs = psql(database, "SELECT id, files_compressed, bytes_in, bytes_out FROM runs WHERE policy = 'default/invoices'")
        assert len(runs) == 1 and runs[0][1] == "12"
        run_id, bytes_in, bytes_out = int(runs[0][0]), int(runs[0][2]), int(runs[0][3])
        status = wait_for(lambda: (s := (get(kubeconfig, "backuppolicy", "invoices") or {}).get("status", {})).get("totals", {}).get("files") == 12 and s,
                          what="the catalog's totals in the status", timeout=40)
        assert status["lastRun"]["jobName"] == "invoices-now" and status["lastRun"]["result"] == "Succeeded"
        assert status["lastRun"]["id"] == run_id and status["lastRun"]["filesCompressed"] == 12
        assert status["lastRun"]["bytesIn"] == bytes_in and status["lastRun"]["bytesOut"] == bytes_out
        assert status["lastRun"]["ratio"] == round(bytes_in / bytes_out, 2)
        assert status["totals"] == {"runs": 1, "files": 12, "bytesIn": bytes_in, "bytesOut": bytes_out, "ratio": round(bytes_in / bytes_out, 2)}

        row = columns(kubectl(kubeconfig, "get", "backuppolicies"))[0]
        assert row["NAME"] == "invoices" and row["LAST RESULT"] == "Succeeded" and row["FILES"] == "12"
        assert re.fullmatch(r"\d+[smhd]", row["LAST SUCCESS"]), row  # an age, not <none>
        assert float(row["RATIO"]) == pytest.approx(bytes_in / bytes_out, abs=0.01) and float(row["RATIO"]) > 1

        # The observed state in PostgreSQL (psql, the server's own client).
        state = wait_for(lambda: (rows := psql(database, "SELECT ready, reason, schedule, suspended, last_run_result, observed_by, status "
                                                         "FROM policies WHERE policy = 'default/invoices'"))
                         and rows[0][4] == "Succeeded" and rows[0], what="the policies row")
        assert state[:6] == ("True", "Scheduled", "*/2 * * * *", "f", "Succeeded", "replica-a")
        assert json.loads(state[6])["totals"]["files"] == 12

        # The sidecar: the catalog only, no kubeconfig.
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYBAK_", "KUBECONFIG"))}
        serve = subprocess.Popen([pybak, "serve", "--database", database, "--listen", f"127.0.0.1:{port}"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=open(tmp_path / "serve.log", "w"))
        answer = wait_for(lambda: (r := fetch(f"http://127.0.0.1:{port}/status")) and r[0] == 200 and json.loads(r[1]), what="/status")
        entry = next(p for p in answer["policies"] if p["name"] == "default/invoices")
        assert entry["lastRun"]["counts"]["compressed"] == 12
        observed = entry["controller"]
        assert observed["ready"] == "True" and observed["reason"] == "Scheduled" and observed["schedule"] == "*/2 * * * *"
        assert observed["lastRunResult"] == "Succeeded" and observed["activeJobs"] == [] and observed["nextRunAt"]
        assert observed["spec"]["source"]["path"] == "incoming" and observed["status"]["lastRun"]["jobName"] == "invoices-now"
        assert entry["nextRunAt"] == observed["nextRunAt"]

        # /metrics: reconciles by result, the duration histogram, the last run's status.
        metrics = fetch(controller.probes + "/metrics")[1]
        assert 'pybak_controller_reconciles_total{result="created"} 1' in metrics
        count = int(next(line.split()[-1] for line in metrics.splitlines() if line.startswith("pybak_controller_reconcile_duration_seconds_count")))
        assert count >= 3
        assert 'pybak_policy_last_run_status{namespace="default",name="invoices",result="Succeeded"} 1' in metrics

        # A policy deleted while the controller runs leaves the table; one deleted while none ran goes at start.
        kubectl(kubeconfig, "delete", "backuppolicy", "invoices")
        wait_for(lambda: not psql(database, "SELECT 1 FROM policies WHERE policy = 'default/invoices'"), what="the row to go")
        controller.send_signal(signal.SIGTERM)
        assert controller.wait(timeout=15) == 0
        psql(database, "INSERT INTO policies (policy, namespace, name, schedule, suspended, ready, active_jobs, spec, status, observed_at, observed_by) "
                       "VALUES ('default/ghost', 'default', 'ghost', '*/2 * * * *', false, 'True', '[]', '{}', '{}', '2026-01-01T00:00:00Z', 'old')")
        controller = start_controller(pybak, kubeconfig, tmp_path / "controller2.log", "--database", database)
        wait_for(lambda: not psql(database, "SELECT 1 FROM policies WHERE policy = 'default/ghost'"), what="the ghost row to go")
    finally:
        stop(controller)
        if serve:
            stop(serve)
