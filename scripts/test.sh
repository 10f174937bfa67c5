#!/usr/bin/env bash
# Run every test (unit, integration, browser, evals), then the wheel check (scripts/wheel_check.sh: the wheel
# installed outside the checkout summarizes a letter and renders every prompt). Sets up first if needed.
# Arguments go to pytest. The fast loop while working (a minute or two): .venv/bin/pytest -m "not slow" tests evals
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The browser tests drive Debian's chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests" >&2
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo "sudo")
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
. .venv/bin/activate
# The tests, then the wheel used outside the checkout (scripts/wheel_check.sh, under a minute; IMR_WHEEL_CHECK=0
# leaves it out); both always run, and the run fails if either did.
status=0
python -m pytest tests/ evals/ "$@" || status=$?
if [ "${IMR_WHEEL_CHECK:-1}" != 0 ]; then
  bash scripts/wheel_check.sh || status=$?
fi
exit "$status"
