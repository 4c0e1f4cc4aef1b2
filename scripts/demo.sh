#!/usr/bin/env bash
# README's first command: a demo of the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
ensure_venv test
exec .venv/bin/python scripts/demo.py "$@"
