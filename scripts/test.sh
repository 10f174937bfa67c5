#!/usr/bin/env bash
# Run every test (unit, integration, browser, evals). Sets up first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
python -m pytest tests/ evals/ "$@"
