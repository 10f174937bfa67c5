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
python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
# torch first, pinned: on these machines `torch==2.13.0` is a CPU build on local disk; a range would pull CUDA.
if ! python -c "import torch" >/dev/null 2>&1; then
  echo "installing torch 2.13.0 (CPU)" >&2
  python -m pip install -q "torch==2.13.0" 2>&1 | grep -v "is ignored" || true
fi
echo "installing imr-llm and its extras" >&2
python -m pip install -q -e ".[ui,evals,test]" 2>&1 | grep -v -e "is ignored" -e "^  !!" || true
python -c "import imr_llm, chromadb, gradio, torch; print('imr-llm ready: torch', torch.__version__)" >&2
