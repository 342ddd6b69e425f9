#!/usr/bin/env python3
"""PyBak benchmark: `pybak run` side by side with gzip -6 (xargs -P) and pigz on the same corpus.

Builds pybak in release mode, generates the corpus with ../shared/bench/gen_corpus.py, and for
each tool copies the corpus to a fresh folder (see ../shared/bench/README.md about ext4 after
deletes), times the tool, and prints MB/s (or files/s), compression ratio, peak RSS and the ratio
of pybak's time to each baseline's. Every side is durable: pybak syncs and verifies by itself,
the baselines end with `sync`. Usage:

    python3 bench/run.py [--scale 1.0] [--corpora logs,small] [--big-gib 2] [--runs 1] [--postgres] [--encrypt] [--skip-build]

With --postgres, pybak also runs with a PostgreSQL catalog (the throwaway server of .ci/postgres, a fresh
schema per run, over TCP with TLS negotiated per libpq's default sslmode=prefer) beside the SQLite figure.
--encrypt adds a `pybak run --encrypt` row (AES-256-GCM after gzip, key from a fresh `pybak keygen`)
beside the plain one, so the cost of encryption is read off the same run. --formats adds
`pybak run --format zip` and `--format tar.gz` rows (one archive per pass).
--skip-build uses the release binary already built, so the whole script can run under the shared build lock
(`swift build -c release --product pybak` first, then `flock /tmp/pybak-build.lock python3 bench/run.py --skip-build`).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GEN = REPO.parent / "shared" / "bench" / "gen_corpus.py"
OUT = REPO / "bench" / "out"
CORES = os.cpu_count() or 2


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, **kw)


def timed(cmd):
    """Runs a shell command under /usr/bin/time -v; returns (seconds, peak RSS in MiB)."""
    start = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-v", "bash", "-c", cmd], capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"benchmark command failed ({proc.returncode}): {cmd}\n{proc.stderr[-2000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) / 1024
    return elapsed, rss


def tree_bytes(path, suffix=None):
    total = files = 0
    for p in Path(path).rglob("*"):
        if p.is_file() and ".pybak" not in p.parts and (suffix is None or p.name.endswith(suffix)):
            total += p.stat().st_size
            files += 1
    return total, files


def fresh_copy(corpus, tag):
    target = OUT / "work" / f"{tag}-{time.monotonic_ns()}"
    target.parent.mkdir(parents=True, exist_ok=True)
    sh(f"cp -a {corpus} {target}")
    sh("sync")
    return target


def postgres_schema_url(base):
    """A fresh empty schema on the benchmark server, as a URL whose sessions use it."""
    schema = f"bench_{time.monotonic_ns()}"
    sh(f"psql -X -q -c 'CREATE SCHEMA {schema}' '{base}'")
    return base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"


def bench_corpus(name, corpus, pybak, runs, postgres=None, key=None, formats=False):
    size, count = tree_bytes(corpus)
    n = "100" if name == "small" else "1"
    tools = {
        "pybak": lambda src: (f"{pybak} run --source {src} --dest {src}.out --min-age 0s --parallel {CORES} --log-level error >/dev/null",
                              f"{src}.out", ".gz"),
        f"gzip -6 xargs -P{CORES} -n{n}": lambda src: (f"find {src} -type f -print0 | xargs -0 -P{CORES} -n{n} gzip -6 && sync", src, ".gz"),
        f"pigz -p {CORES} -6": lambda src: (f"find {src} -type f -print0 | xargs -0 pigz -p {CORES} -6 && sync", src, ".gz"),
    }
    if postgres:
        tools["pybak run --database (PostgreSQL)"] = lambda src: (
            f"{pybak} run --source {src} --dest {src}.out --min-age 0s --parallel {CORES} --log-level error "
            f"--database '{postgres_schema_url(postgres)}' >/dev/null", f"{src}.out", ".gz")
    if key:
        tools["pybak --encrypt"] = lambda src: (
            f"{pybak} run --source {src} --dest {src}.out --min-age 0s --parallel {CORES} --key-file {key} --log-level error >/dev/null",
            f"{src}.out", ".gz.enc")
    if formats:
        for fmt in ("zip", "tar.gz"):
            tools[f"pybak --format {fmt}"] = lambda src, fmt=fmt: (
                f"{pybak} run --source {src} --dest {src}.out --min-age 0s --parallel {CORES} --format {fmt} --log-level error >/dev/null",
                f"{src}.out", f".{fmt}")
    # Tools take turns run by run (pybak, gzip, pigz, pybak, ...), so a slow minute of the machine
    # (other builds, ext4 after deletes) falls on every tool rather than on one.
    samples = {tool: [] for tool in tools}
    for _ in range(runs):
        for tool, make in tools.items():
            src = fresh_copy(corpus, name)
            cmd, out_dir, suffix = make(src)
            seconds, rss = timed(cmd)
            out_bytes, out_files = tree_bytes(out_dir, suffix)
            expected = 1 if suffix in (".zip", ".tar.gz") else count  # one archive per pass
            assert out_files == expected, f"{tool}: {out_files} outputs for {count} inputs"
            samples[tool].append((seconds, rss, out_bytes))
    results = {tool: sorted(runs_)[len(runs_) // 2] for tool, runs_ in samples.items()}
    print(f"\n## corpus `{name}`: {count} files, {size / 1e6:.1f} MB, {CORES} cores, median of {runs} run(s)")
    print("| tool | seconds | MB/s | files/s | ratio | peak RSS MiB | pybak time / this | every run (s) |")
    print("|---|---|---|---|---|---|---|---|")
    ours = results["pybak"][0]
    for tool, (seconds, rss, out_bytes) in results.items():
        every = " ".join(f"{run[0]:.2f}" for run in samples[tool])
        print(f"| {tool} | {seconds:.2f} | {size / 1e6 / seconds:.1f} | {count / seconds:,.0f} | {size / out_bytes:.2f} | {rss:.0f} | {ours / seconds:.2f} | {every} |")
    if postgres:
        print(f"\nPostgreSQL catalog time / SQLite catalog time: {results['pybak run --database (PostgreSQL)'][0] / ours:.2f}")
    shutil.rmtree(OUT / "work", ignore_errors=True)


def bench_big(pybak, gib):
    folder = OUT / "big" / "src"
    shutil.rmtree(OUT / "big", ignore_errors=True)
    folder.mkdir(parents=True)
    block = b"".join(b"2026-11-27T00:00:00Z INFO request %08d served in 12ms\n" % i for i in range(100_000))
    with open(folder / "huge.log", "wb") as f:
        written = 0
        while written < gib << 30:
            f.write(block + os.urandom(4096))
            written += len(block) + 4096
    old = time.time() - 3600
    os.utime(folder / "huge.log", (old, old))
    seconds, rss = timed(f"{pybak} run --source {folder} --dest {folder}.out --min-age 0s --log-level error >/dev/null")
    print(f"\n## one {gib} GiB file: {seconds:.1f} s, {written / 1e6 / seconds:.1f} MB/s, peak RSS {rss:.0f} MiB")
    shutil.rmtree(OUT / "big", ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="1.0")
    ap.add_argument("--corpora", default="logs,small")
    ap.add_argument("--big-gib", type=int, default=2, help="size of the single-file RSS check; 0 skips it")
    ap.add_argument("--runs", type=int, default=1, help="runs per tool, interleaved; the median is shown")
    ap.add_argument("--postgres", action="store_true", help="also run pybak with a PostgreSQL catalog (.ci/postgres)")
    ap.add_argument("--encrypt", action="store_true", help="also time `pybak run --encrypt` (AES-256-GCM)")
    ap.add_argument("--formats", action="store_true", help="also time `pybak run --format zip` and `--format tar.gz`")
    ap.add_argument("--skip-build", action="store_true",
                    help="use the release binary as built; for running the whole script under the build lock")
    args = ap.parse_args()
    postgres = None
    if args.postgres:
        postgres = subprocess.run(["bash", str(REPO / ".ci" / "postgres"), "start"], check=True, capture_output=True,
                                  text=True).stdout.strip()
    if shutil.which("pigz") is None:
        sh("apt-get install -y -qq pigz >/dev/null || (apt-get update -qq && apt-get install -y -qq pigz >/dev/null)")
    # The shared build lock keeps concurrent builds on this machine from starving each other.
    if not args.skip_build:
        sh(f"cd {REPO} && flock /tmp/pybak-build.lock swift build -c release --product pybak 2>&1 | tail -1")
    pybak = REPO / ".build" / "release" / "pybak"
    key = None
    if args.encrypt:
        OUT.mkdir(parents=True, exist_ok=True)
        key = OUT / "bench.key"
        sh(f"{pybak} keygen > {key} 2>/dev/null")
    corpus_root = OUT / f"corpus-{args.scale}"
    missing = [name for name in args.corpora.split(",") if not (corpus_root / name).exists()]
    if missing:
        sh(f"python3 {GEN} --out {corpus_root} --scale {args.scale} --only {','.join(missing)}")
    for name in args.corpora.split(","):
        bench_corpus(name, corpus_root / name, pybak, args.runs, postgres, key, args.formats)
    if args.big_gib:
        bench_big(pybak, args.big_gib)


if __name__ == "__main__":
    main()
