"""The image's runtime stage installs exactly the Debian packages the binary needs, checked offline (no Docker
engine here): the shared libraries the built `pybak` names (readelf NEEDED), plus those named by the Swift
runtime libraries it uses (linked statically into the image's release build with --static-swift-stdlib, so
their own system dependencies move into the binary), resolved by `ldd` and mapped to packages by `dpkg -S`.
This machine is Debian 12 like both of the Dockerfile's stages, so the package names are the image's."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, tool

# In debian:bookworm-slim already (required by apt and the C library itself).
BASE = {"libc6", "libgcc-s1", "libstdc++6"}
# Installed for what the binary does rather than links: TLS trust for libcurl and libpq.
NOT_LINKED = {"ca-certificates"}


def needed(path: str) -> list[str]:
    out = subprocess.run([tool("readelf"), "-d", path], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def resolved(binary: str) -> dict[str, str]:
    """soname -> path for the binary's whole dependency closure, as the loader finds them (ldd)."""
    out = subprocess.run([tool("ldd"), binary], capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        match = re.match(r"\s*(\S+) => (/\S+)", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def package_of(path: str) -> str | None:
    """The Debian package owning a library file (following symlinks), or None (e.g. the Swift toolchain's)."""
    for candidate in (path, str(Path(path).resolve())):
        proc = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if proc.returncode == 0:
            return proc.stdout.split(":", 1)[0].strip()
    return None


def packages_needed(binary: str) -> tuple[set[str], list[str]]:
    """(packages the image must install, sonames no package owns that are not the Swift runtime)."""
    paths = resolved(binary)
    sonames = set(needed(binary))
    swift = [path for soname, path in paths.items() if soname in sonames and package_of(path) is None]
    for path in swift:  # the Swift runtime's own system dependencies come along when it is linked statically
        sonames |= set(needed(path))
    packages, unknown = set(), []
    for soname in sorted(sonames):
        path = paths.get(soname)
        if path is None:
            if soname.startswith("ld-linux"):
                continue
            unknown.append(soname)
            continue
        owner = package_of(path)
        if owner is None:
            if "/swift/" not in path:
                unknown.append(f"{soname} ({path})")
            continue
        packages.add(owner)
    return packages - BASE, unknown


def runtime_packages(dockerfile: str) -> set[str]:
    """The packages the final stage's `apt-get install` names."""
    runtime = dockerfile.split("FROM ${RUNTIME_IMAGE}")[1]
    assert "apt-get install" in runtime, "the runtime stage installs no packages"
    words = runtime.split("apt-get install", 1)[1].split("&&", 1)[0].replace("\\", " ").split()
    return {word for word in words if not word.startswith("-")}


def missing_and_extra(dockerfile: str, binary: str) -> tuple[set[str], set[str], list[str]]:
    needed_packages, unknown = packages_needed(binary)
    listed = runtime_packages(dockerfile) - NOT_LINKED
    return needed_packages - listed, listed - needed_packages, unknown


@pytest.mark.needs_binary
def test_the_runtime_stage_installs_exactly_the_libraries_the_binary_links(pybak):
    missing, extra, unknown = missing_and_extra((REPO / "Dockerfile").read_text(), pybak)
    assert not unknown, f"libraries no Debian package owns: {unknown}"
    assert not missing, f"the Dockerfile's runtime stage lacks {sorted(missing)} (the binary links them)"
    assert not extra, f"the Dockerfile's runtime stage installs {sorted(extra)}, which the binary does not link"
    assert "ca-certificates" in runtime_packages((REPO / "Dockerfile").read_text())


@pytest.mark.needs_binary
def test_a_missing_runtime_library_is_caught(pybak):
    text = (REPO / "Dockerfile").read_text()
    without = text.replace(" libpq5 ", " ")
    assert without != text
    missing, _, _ = missing_and_extra(without, pybak)
    assert missing == {"libpq5"}
    stale = text.replace("zlib1g", "zlib1g libxml2")
    assert missing_and_extra(stale, pybak)[1] == {"libxml2"}
