"""Versioned prompt files and the one function that renders them.

A prompt lives in `imr_llm/llm/prompts/<task>/v<N>.yaml`, inside the package: the files are
package data, found with importlib.resources, so a wheel installed anywhere renders them::

    id: summarize
    version: v1
    description: one line
    variables: [letter, fence, items]
    system: |
      ... ${fence} ...
    prompt: |
      ... ${letter} ...

Placeholders are `${name}` (`$$` is a literal dollar). Rendering is strict: a
missing or unknown variable raises `MissingVariables` / `PromptError`, and a file
whose placeholders differ from its declared `variables` does not load. The hash of
the file goes into the LLM call log and the response cache key, so editing a
prompt never serves answers cached for the old text.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from pydantic import BaseModel, ConfigDict, ValidationError

from ...errors import ConfigError

__all__ = ["MissingVariables", "PROMPTS_DIR", "PromptError", "PromptTemplate", "RenderedPrompt", "list_prompts",
           "load", "render"]

PROMPTS_DIR = Path(str(resources.files(__name__)))  # the YAML files ship inside the package
_VERSION = re.compile(r"^v(\d+)$")


class PromptError(ConfigError):
    """A prompt file is missing or malformed, or was rendered with the wrong variables."""


class MissingVariables(PromptError):
    def __init__(self, prompt: str, missing: list[str]):
        super().__init__(f"prompt {prompt} needs variable(s): {', '.join(missing)}")
        self.prompt = prompt
        self.missing = missing


class PromptTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: str
    description: str = ""
    variables: list[str]
    system: str
    prompt: str
    hash: str = ""

    @property
    def ref(self) -> str:
        return f"{self.id}/{self.version}"


@dataclass(frozen=True)
class RenderedPrompt:
    """A rendered prompt: the messages to send, and the id, version and hash of the file."""

    id: str
    version: str
    hash: str
    system: str
    user: str

    @property
    def ref(self) -> str:
        return f"{self.id}/{self.version}"

    @property
    def text(self) -> str:
        return f"{self.system}\n\n{self.user}"

    @property
    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


def _versions(task: str) -> list[Path]:
    folder = PROMPTS_DIR / task
    files = [p for p in folder.glob("v*.yaml") if _VERSION.match(p.stem)] if folder.is_dir() else []
    return sorted(files, key=lambda p: int(_VERSION.match(p.stem)[1]))


def list_prompts() -> list[str]:
    """Every prompt file as 'task/vN'."""
    if not PROMPTS_DIR.is_dir():
        return []
    return [f"{d.name}/{p.stem}" for d in sorted(PROMPTS_DIR.iterdir()) if d.is_dir() for p in _versions(d.name)]


@functools.lru_cache(maxsize=64)
def _load_file(path: Path, mtime_ns: int) -> PromptTemplate:
    import yaml

    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
        template = PromptTemplate(**data, hash=hashlib.sha256(raw).hexdigest()[:16])
    except (yaml.YAMLError, TypeError, ValidationError) as exc:
        raise PromptError(f"{path}: not a prompt file: {exc}") from None
    expected = f"{path.parent.name}/{path.stem}"
    if template.ref != expected:
        raise PromptError(f"{path}: declares {template.ref}, but its path says {expected}")
    used = set()
    for text in (template.system, template.prompt):
        tpl = Template(text)
        if not tpl.is_valid():
            raise PromptError(f"{path}: a '$' that is not ${{name}} or $$")
        used |= set(tpl.get_identifiers())
    if used != set(template.variables):
        raise PromptError(f"{path}: declares variables {sorted(template.variables)} but uses {sorted(used)}")
    return template


def load(prompt_id: str) -> PromptTemplate:
    """The template 'task/vN', or the latest version of 'task'."""
    task, _, version = prompt_id.partition("/")
    if version:
        path = PROMPTS_DIR / task / f"{version}.yaml"
    else:
        versions = _versions(task)
        path = versions[-1] if versions else PROMPTS_DIR / task / "v1.yaml"
    if not path.is_file():
        raise PromptError(f"no prompt {prompt_id!r} (looked for {path})")
    return _load_file(path, path.stat().st_mtime_ns)


def render(prompt_id: str, **variables: object) -> RenderedPrompt:
    """Render a prompt; every declared variable must be given, and nothing else."""
    template = load(prompt_id)
    missing = sorted(set(template.variables) - set(variables))
    if missing:
        raise MissingVariables(template.ref, missing)
    unknown = sorted(set(variables) - set(template.variables))
    if unknown:
        raise PromptError(f"prompt {template.ref} has no variable(s): {', '.join(unknown)}")
    values = {name: str(value) for name, value in variables.items()}
    return RenderedPrompt(id=template.id, version=template.version, hash=template.hash,
                          system=Template(template.system).substitute(values).strip(),
                          user=Template(template.prompt).substitute(values).strip())
