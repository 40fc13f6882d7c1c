"""The README documents what the code does: commands, layout."""

from __future__ import annotations

import re

from tests.support import ROOT

README = ROOT / "README.md"


def test_two_commands_are_documented() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text


def test_layout_names_every_top_level_folder() -> None:
    text = README.read_text(encoding="utf-8")
    layout = text.split("## Layout", 1)[1].split("##", 1)[0]
    folders = sorted(
        p.name + "/"
        for p in ROOT.iterdir()
        if p.is_dir()
        and not p.name.startswith((".", "_"))
        and p.name not in {"build", "out", "node_modules"}
    )
    for folder in folders:
        assert re.search(rf"^{re.escape(folder)}\s", layout, re.M), folder
