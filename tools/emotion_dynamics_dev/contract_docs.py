"""Write what derives from the contract: ``Pulumi.yaml``'s config schema and the README's tables.

The README's Region table derives from :mod:`emotion_dynamics_infra.regions` the same way.

    .venv/bin/python -m emotion_dynamics_dev.contract_docs           # check: exit 1 if stale
    .venv/bin/python -m emotion_dynamics_dev.contract_docs --write   # rewrite them (make contract)

``tests/unit/test_contract.py`` fails when either committed file differs from what this
module renders from :mod:`emotion_dynamics.contract`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from emotion_dynamics.contract import DEPLOY_SETTINGS, ENGINES, LAMBDA_SETTINGS, Kind, Setting
from emotion_dynamics_infra import regions

__all__ = [
    "PROJECT_FILE",
    "README",
    "deploy_table",
    "env_table",
    "regions_table",
    "render_project_file",
    "render_readme",
    "schema_block",
]

ROOT: Final = Path(__file__).resolve().parents[2]
README: Final = ROOT / "README.md"
PROJECT_FILE: Final = ROOT / "Pulumi.yaml"
ENV_BEGIN, ENV_END = "<!-- env-table:begin -->", "<!-- env-table:end -->"
DEPLOY_BEGIN, DEPLOY_END = "<!-- stack-table:begin -->", "<!-- stack-table:end -->"
REGIONS_BEGIN, REGIONS_END = "<!-- regions-table:begin -->", "<!-- regions-table:end -->"
SCHEMA_HEADER: Final = (
    "# Every key the program reads, generated from lambda/emotion_dynamics/contract.py by\n"
    "# `make contract` (do not edit by hand; a test fails when this block is stale). Types are\n"
    "# Pulumi's schema types: there is no float type, so decimal values are strings.\n"
    "config:\n"
)


def _allowed(setting: Setting) -> str:
    if setting.choices:
        return ", ".join(setting.choices)
    if setting.low is not None or setting.high is not None:
        return f"{setting.low:g} .. {setting.high:g}"
    if setting.kind is Kind.BOOL:
        return "true, false"
    return setting.expected + (" or empty" if setting.allow_empty else "")


def _default(setting: Setting) -> str:
    return f"`{setting.default}`" if setting.default else "(empty)"


def env_table() -> str:
    """The README's table of the function's environment variables."""
    rows = [
        "| variable | stack key | meaning | unit | default | allowed | seed |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in LAMBDA_SETTINGS:
        rows.append(
            f"| `{s.env}` | `{s.key}` | {s.meaning} | {s.unit} | {_default(s)} | {_allowed(s)} "
            f"| {s.seed or 'added'} |"
        )
    return "\n".join(rows)


def deploy_table() -> str:
    """The README's table of the deployment-only stack keys."""
    rows = ["| stack key | meaning | unit | default | allowed |", "|---|---|---|---|---|"]
    for s in DEPLOY_SETTINGS:
        rows.append(f"| `{s.key}` | {s.meaning} | {s.unit} | {_default(s)} | {_allowed(s)} |")
    return "\n".join(rows)


def regions_table() -> str:
    """The README's table of the Regions where Polly offers each engine, with its sources."""
    every = sorted(set().union(*regions.REGIONS_BY_ENGINE.values()))
    rows = [
        "| Region | " + " | ".join(ENGINES) + " |",
        "|---|" + "---|" * len(ENGINES),
    ]
    for region in every:
        marks = ["yes" if region in regions.engine_regions(e) else "-" for e in ENGINES]
        rows.append(f"| `{region}` | " + " | ".join(marks) + " |")
    sources = "; ".join(f"{e}: {regions.SOURCES[e]}" for e in ENGINES)
    rows += ["", f"Sources (retrieved {regions.RETRIEVED}): {sources}."]
    return "\n".join(rows)


def _yaml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _description(setting: Setting) -> str:
    text = setting.meaning + (f" ({setting.unit})" if setting.unit not in ("-", "bool") else "")
    text += f". Allowed: {_allowed(setting)}."
    if setting.env:
        text += f" Lambda env var {setting.env}."
    return text


def schema_block(settings: Iterable[Setting] = LAMBDA_SETTINGS + DEPLOY_SETTINGS) -> str:
    """The ``config:`` block of ``Pulumi.yaml`` (project keys only: aws:region is AWS's)."""
    lines = [SCHEMA_HEADER.rstrip("\n")]
    for s in settings:
        if ":" in s.key:
            continue
        lines += [
            f"  {s.full_key}:",
            f"    type: {s.schema_type}",
            f"    default: {_yaml_scalar(s.schema_default())}",
            f"    description: {_yaml_scalar(_description(s))}",
        ]
    return "\n".join(lines) + "\n"


def render_project_file(text: str) -> str:
    """``Pulumi.yaml`` with its generated config block (everything from its header on)."""
    head = text.split(SCHEMA_HEADER.splitlines()[0], 1)[0]
    if head == text:  # no generated block yet: replace from the `config:` line on
        head = text.split("\nconfig:", 1)[0] + "\n"
    return head + schema_block()


def _replace(text: str, begin: str, end: str, body: str) -> str:
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def render_readme(text: str) -> str:
    """``README.md`` with the three tables replaced between their markers."""
    text = _replace(text, ENV_BEGIN, ENV_END, env_table())
    text = _replace(text, DEPLOY_BEGIN, DEPLOY_END, deploy_table())
    return _replace(text, REGIONS_BEGIN, REGIONS_END, regions_table())


def main(argv: list[str]) -> int:
    """Check (default) or ``--write`` both generated files; exit 1 when one is stale."""
    stale = []
    for path, render in ((PROJECT_FILE, render_project_file), (README, render_readme)):
        current = path.read_text(encoding="utf-8")
        wanted = render(current)
        if wanted != current:
            if "--write" in argv:
                path.write_text(wanted, encoding="utf-8")
                print(f"wrote {path.name}")
            else:
                stale.append(path.name)
    if stale:
        print(f"stale: {', '.join(stale)}; run `make contract`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
