#!/usr/bin/env bash
# The main job on sample letters: set up, index the sample letters, summarise one and ask it a question.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export IMR_HOME=${IMR_HOME:-$PWD/.imr-home}
imr-llm ingest evals/gold
imr-llm summarize evals/gold/000_cf4ccf513f3d2879.txt
imr-llm ask evals/gold/000_cf4ccf513f3d2879.txt "Why was PT overturned?"
