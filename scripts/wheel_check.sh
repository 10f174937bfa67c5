#!/usr/bin/env bash
# The wheel, used where a user would have it (issue 12): build it from the working tree, install it into a fresh
# virtualenv outside the checkout, and there, from a folder outside the checkout, with no network:
#   summarize a gold letter offline, render every prompt, summarize it through the LLM path against the
#   scripted server (tests/scripted_llm.py), and check the wheel holds imr_llm/ only, with its prompt YAML.
# The fresh virtualenv sees .venv's site-packages for the dependencies only (a .pth line: the editable install's
# finder in .venv is not run that way), and scripts/wheel_check.py fails if imr_llm comes from anywhere else.
# Called by scripts/test.sh; on its own: bash scripts/wheel_check.sh (after scripts/setup.sh). Under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON_VENV:-$ROOT/.venv/bin/python}
LETTER=evals/gold/000_cf4ccf513f3d2879.txt
WORK=$(mktemp -d "${TMPDIR:-/tmp}/imr-wheel-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL $*" >&2; exit 1; }
quiet() {  # run a step; its output only if it fails
  local log="$WORK/step.log"
  "$@" >"$log" 2>&1 || { cat "$log" >&2; fail "$*"; }
}
started=$(date +%s)

# 1. The wheel, built from a copy of the working tree (tracked and untracked, not ignored) so that no stale
#    build/ folder of the checkout ends up in it; pip without build isolation uses .venv's setuptools, offline.
mkdir -p "$WORK/src" "$WORK/dist"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | tar -cf - --null -T - | tar -xf - -C "$WORK/src"
quiet "$PY" -m pip wheel --disable-pip-version-check --no-deps --no-build-isolation --no-index -w "$WORK/dist" "$WORK/src"
WHEEL=$(ls "$WORK"/dist/imr_llm-*.whl)
echo "PASS built $(basename "$WHEEL")"

# 2. A fresh virtualenv outside the checkout, the wheel installed into it with .venv's pip (no pip of its own),
#    before the dependencies are made visible (so that pip never sees, let alone touches, .venv's editable install).
VENV="$WORK/venv"
quiet "$PY" -m venv --without-pip "$VENV"
quiet "$PY" -m pip --python "$VENV/bin/python" install --disable-pip-version-check --no-deps --no-index "$WHEEL"
deps=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
fresh=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$deps" >"$fresh/imr-wheel-check-dependencies.pth"
echo "PASS installed into $VENV (dependencies from $deps)"

# 3. The checks, from a folder outside the checkout; tests/network_guard.py runs in every python started there.
mkdir -p "$WORK/run" "$WORK/guard" "$WORK/home"
cp scripts/wheel_check.py tests/scripted_llm.py "$WORK/run/"
cp tests/network_guard.py "$WORK/guard/"
printf 'import network_guard\nnetwork_guard.go_offline()\n' >"$WORK/guard/sitecustomize.py"
cp "$LETTER" "${LETTER%.txt}.gold.json" "$WORK/run/"
expect=$(cd "$WORK/src" && find imr_llm -name '*.py' -o -name '*.yaml' -o -name py.typed | sort)
cd "$WORK/run"
status=0
env -u IMR_LLM_MODEL -u IMR_LLM_API_BASE -u IMR_CHROMA_URL -u PYTHONHOME \
  PYTHONPATH="$WORK/guard" IMR_HOME="$WORK/home" PATH="$VENV/bin:$PATH" \
  "$VENV/bin/python" wheel_check.py --wheel "$WHEEL" --venv "$VENV" \
  --letter "$(basename "$LETTER")" --gold "$(basename "${LETTER%.txt}.gold.json")" --expect $expect || status=$?
echo "wheel check: $(( $(date +%s) - started )) s"
[ "$status" = 0 ] || fail "wheel check (see the FAIL lines above)"
