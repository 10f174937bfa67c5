"""Checks of an installed imr-llm wheel, run by scripts/wheel_check.sh with the fresh virtualenv's python,
from a folder outside the checkout (issue 12: "a wheel installed outside the checkout summarizes a letter and
renders every prompt; it installs no top-level package other than imr_llm").

    python wheel_check.py --wheel W --letter L --gold G --venv V [--expect FILE ...]

W: the wheel; L: a gold letter and G its .gold.json (copies); V: the fresh virtualenv; --expect: paths
(imr_llm/...) the wheel must hold, from the checkout. scripted_llm.py (tests/) lies beside this file.
Prints one PASS or FAIL line per check; exits 1 if any failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import traceback
import zipfile
from pathlib import Path
from types import SimpleNamespace

MODEL = "openai/scripted"
failures: list[str] = []


def check(name: str):
    """Run a check; print PASS with what it found, or FAIL with why."""

    def run(fn):
        try:
            detail = fn()
        except Exception as exc:  # noqa: BLE001 - every failure is reported, then the next check runs
            failures.append(name)
            print(f"FAIL {name}: {type(exc).__name__}: {exc}", flush=True)
            if not isinstance(exc, AssertionError):
                traceback.print_exc(file=sys.stdout)
        else:
            print(f"PASS {name}" + (f": {detail}" if detail else ""), flush=True)
        return fn

    return run


def imr(venv: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    """`imr-llm <args> --json` with the wheel's console script; its JSON output."""
    done = subprocess.run([str(venv / "bin" / "imr-llm"), *args, "--json"], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"imr-llm {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wheel", type=Path, required=True)
    parser.add_argument("--letter", type=Path, required=True)
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--venv", type=Path, required=True)
    parser.add_argument("--expect", nargs="*", default=[])
    args = parser.parse_args()
    venv = args.venv.resolve()
    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    expected_decisions = [d["decision"] for d in gold["decisions"]]
    offline: dict = {}

    @check("wheel holds only the imr_llm package (and its dist-info)")
    def _contents():
        names = zipfile.ZipFile(args.wheel).namelist()
        tops = {n.split("/", 1)[0] for n in names}
        dist_info = [t for t in tops if t.endswith(".dist-info")]
        assert tops - set(dist_info) == {"imr_llm"}, f"top-level entries: {sorted(tops)}"
        assert len(dist_info) == 1, dist_info
        top_level = f"{dist_info[0]}/top_level.txt"
        if top_level in names:
            declared = zipfile.ZipFile(args.wheel).read(top_level).decode().split()
            assert declared == ["imr_llm"], f"top_level.txt: {declared}"
        missing = sorted(set(args.expect) - set(names))
        assert not missing, f"missing from the wheel: {missing}"
        yamls = sorted(n for n in names if n.endswith(".yaml"))
        assert yamls, "no prompt YAML in the wheel"
        return f"{len(names)} files, prompts {', '.join(n.removeprefix('imr_llm/llm/prompts/') for n in yamls)}"

    @check("imr_llm is imported from the fresh virtualenv, not the checkout")
    def _origin():
        import importlib.metadata

        import imr_llm

        where = Path(imr_llm.__file__).resolve()
        assert where.is_relative_to(venv), f"imr_llm came from {where}, not from {venv}"
        dist = importlib.metadata.distribution("imr-llm")
        location = Path(str(dist.locate_file(""))).resolve()
        assert location.is_relative_to(venv), f"the imr-llm metadata found first is at {location}"
        installed = {str(f).split("/", 1)[0] for f in dist.files or [] if not str(f).startswith("..")}
        info = {name for name in installed if name.endswith(".dist-info")}
        assert installed - info == {"imr_llm"} and len(info) == 1, f"installed top-level entries: {sorted(installed)}"
        scripts = sorted(Path(str(f)).name for f in dist.files or [] if str(f).startswith(".."))
        return f"{where.parent}; installed imr_llm/, its dist-info and {', '.join(scripts)}"

    if failures and failures[-1].startswith("imr_llm is imported"):
        print("wheel check: the checks below would not test the wheel; stopped", flush=True)
        return 1

    @check("no network: the guard of tests/network_guard.py is on in every python started here")
    def _guard():
        import socket

        import network_guard

        assert network_guard.installed(), "sitecustomize did not install the guard"
        try:
            socket.create_connection(("192.0.2.1", 443), timeout=1)
        except network_guard.NetworkBlocked:
            return "192.0.2.1 refused, 127.0.0.1 allowed"
        raise AssertionError("a connection to 192.0.2.1 was not refused")

    @check("offline: imr-llm summarize <gold letter> --json")
    def _offline():
        summary = offline.setdefault("summary", imr(venv, "summarize", str(args.letter)))
        decisions = [item["decision"]["value"] for item in summary["items"]]
        assert decisions == expected_decisions, f"decisions {decisions}, the gold record says {expected_decisions}"
        assert gold["case_number"] in (None, summary["case_id"]), (summary["case_id"], gold["case_number"])
        assert not str(summary.get("engine", "offline")).startswith(MODEL), summary.get("engine")
        return f"case {summary['case_id']}, {len(decisions)} item(s): {', '.join(decisions)}, engine {summary['engine']}"

    @check("every prompt renders")
    def _prompts():
        from imr_llm.llm import prompts

        listed = prompts.list_prompts()
        assert listed, "list_prompts() is empty: the YAML files did not ship"
        files = sorted(f"{p.parent.name}/{p.stem}" for p in prompts.PROMPTS_DIR.glob("*/*.yaml"))
        assert set(listed) <= set(files), (listed, files)
        for prompt_id in files:
            template = prompts.load(prompt_id)
            values = {name: f"<<{name}>>" for name in template.variables}
            rendered = prompts.render(prompt_id, **values)
            text = rendered.text
            assert all(value in text for value in values.values()), f"{prompt_id}: a variable was not filled in"
            assert "${" not in text and rendered.hash, f"{prompt_id}: left a placeholder or has no hash"
        return ", ".join(files)

    @check(f"LLM path: imr-llm summarize <gold letter> --model {MODEL} --json against the scripted server")
    def _llm():
        from scripted_llm import ScriptedLLM, draft_of, reply_json

        # What a careful model would reply: the letter's own items and quotes, from the offline summary's JSON.
        read = json.loads(json.dumps(offline.get("summary") or imr(venv, "summarize", str(args.letter))),
                          object_hook=lambda fields: SimpleNamespace(**fields))
        draft = draft_of(read)
        with ScriptedLLM() as server:
            server.enqueue(reply_json(draft))
            summary = imr(venv, "summarize", str(args.letter), "--model", MODEL,
                          env={"IMR_LLM_API_BASE": server.url, "OPENAI_API_KEY": "sk-wheel-check-dummy-000",
                               "IMR_LLM_TIMEOUT": "30", "IMR_LLM_DEADLINE": "60"})
        assert len(server.requests) == 1, f"the server saw {len(server.requests)} request(s)"
        assert summary["engine"] == MODEL, f"engine {summary['engine']!r}, notes {summary.get('notes')}"
        decisions = [item["decision"]["value"] for item in summary["items"]]
        assert decisions == expected_decisions, decisions
        sent = json.dumps(server.requests[0]["body"].get("messages", []))
        assert read.items[0].decision.quote in sent, "the letter was not in the request"
        return f"engine {summary['engine']}, 1 request to {server.url}, decisions {', '.join(decisions)}"

    print(f"{len(failures)} check(s) failed" if failures else "wheel check: every check passed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
