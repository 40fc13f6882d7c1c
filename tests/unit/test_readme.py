"""The README documents what the code does: env table, commands, layout."""

from __future__ import annotations

import re

from scripts.env_table import BEGIN, END, README, table


def test_env_table_matches_settings() -> None:
    text = README.read_text(encoding="utf-8")
    block = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert block == table(), (
        "README env table is stale: run .venv/bin/python scripts/env_table.py --write"
    )


def test_two_commands_are_documented() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text


def test_layout_names_every_top_level_folder() -> None:
    text = README.read_text(encoding="utf-8")
    layout = text.split("## Layout", 1)[1].split("##", 1)[0]
    for folder in ("lambda/", "pulumi/", "notebooks/", "datasets/", "tests/"):
        assert re.search(rf"^{re.escape(folder)}\s", layout, re.M), folder
