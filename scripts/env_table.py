"""Print the README's environment-variable table from emotion_dynamics.config.SETTINGS.

    .venv/bin/python scripts/env_table.py            # print the table
    .venv/bin/python scripts/env_table.py --write    # rewrite it in README.md

tests/unit/test_readme.py fails when README.md and SETTINGS disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from emotion_dynamics.config import SETTINGS

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN, END = "<!-- env-table:begin -->", "<!-- env-table:end -->"


def table() -> str:
    """The Markdown table of every variable in SETTINGS."""
    rows = ["| variable | meaning | unit | default | seed |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        seed = "required" if s.seed_required else "optional"
        rows.append(f"| `{s.name}` | {s.meaning} | {s.unit} | `{s.default}` | {seed} |")
    return "\n".join(rows)


def render(readme: str) -> str:
    """``readme`` with the table between the markers replaced."""
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


if __name__ == "__main__":
    if "--write" in sys.argv:
        README.write_text(render(README.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(table())
