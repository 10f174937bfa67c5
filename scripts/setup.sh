#!/usr/bin/env bash
# Set up imr-llm on a fresh machine: a virtualenv in .venv with the CPU build of torch,
# the package and its UI, eval and test extras. Safe to run again (it only adds what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv" >&2
  "$PY" -m venv .venv
fi
. .venv/bin/activate
# Scanned letters (PDF pages without a text layer) are read by OCR with Debian's tesseract.
if ! tesseract --list-langs 2>/dev/null | grep -x eng >/dev/null && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's tesseract-ocr (OCR for scanned letters)" >&2
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo "sudo")
  $SUDO apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    tesseract-ocr tesseract-ocr-eng >/dev/null
fi
LOG=.venv/setup.log
pip_install() {  # quiet on success, the whole log on failure
  if ! python -m pip install --disable-pip-version-check "$@" >"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "setup: pip install $* failed (log above, also in $LOG)" >&2
    exit 1
  fi
}
# torch first, pinned: on these machines `torch==2.13.0` is a CPU build on local disk; a range would pull CUDA.
if ! python -c "import torch" >/dev/null 2>&1; then
  echo "installing torch 2.13.0 (CPU)" >&2
  pip_install -c requirements/constraints.txt "torch==2.13.0"
fi
if [ ! -f .venv/.imr-installed ] || [ pyproject.toml -nt .venv/.imr-installed ] || ! python -c "import imr_llm, gradio, playwright" >/dev/null 2>&1; then
  echo "installing imr-llm and its extras (a few minutes the first time)" >&2
  pip_install -c requirements/constraints.txt -e ".[ui,evals,test]"
  touch .venv/.imr-installed
fi
python -c "import imr_llm, torch; print('imr-llm ready (torch', torch.__version__ + ')')" >&2
