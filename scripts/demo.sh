#!/usr/bin/env bash
# README's first command: a demo of the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
# The demo needs only the runtime and trio (it runs the async API under both
# loops), so it gets its own small venv rather than the test suite's.
ANYZARR_VENV=.venv-demo ensure_venv trio
exec .venv-demo/bin/python scripts/demo.py "$@"
