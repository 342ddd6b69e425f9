#!/usr/bin/env bash
# Installs the emulator's pinned test requirements (idempotently, quietly) and runs its tests.
# Run from anywhere; the tests run from the repository root. Needs python3, openssl and kubectl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r "$here/requirements.txt"
cd "$root"
exec python3 -m pytest -q -p no:cacheprovider Tests/KubeEmulator/tests "$@"
