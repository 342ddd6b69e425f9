"""Fixtures for end-to-end tests: they drive the built `pybak` binary on real folders."""
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("PYBAK_BINARY", REPO / ".build" / "debug" / "pybak"))


@pytest.fixture(scope="session")
def pybak():
    assert BINARY.exists(), f"build first: {BINARY} is missing (swift build)"
    return str(BINARY)


class Folders:
    def __init__(self, root: Path):
        self.root = root
        self.src = root / "src"
        self.dst = root / "dst"
        self.src.mkdir()

    def write(self, rel: str, data: bytes, age: float = 3600) -> Path:
        path = self.src / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        then = time.time() - age
        os.utime(path, (then, then))
        return path

    def catalog(self):
        return sqlite3.connect(self.dst / ".pybak" / "catalog.sqlite")

    def stored(self):
        return sorted(p for p in self.dst.rglob("*") if p.is_file() and ".pybak" not in p.parts)


@pytest.fixture
def folders(tmp_path):
    return Folders(tmp_path)


def run(pybak, *args, env=None, check=None, **kwargs):
    """Runs pybak; returns the CompletedProcess. `check` is the expected exit code."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PYBAK_")}
    full_env.update(env or {})
    proc = subprocess.run([pybak, *args], capture_output=True, text=True, env=full_env, timeout=300, **kwargs)
    if check is not None:
        assert proc.returncode == check, f"exit {proc.returncode}, expected {check}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc
