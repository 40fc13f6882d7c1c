"""The README documents what the code does: commands, layout."""

from __future__ import annotations

import re

from emotion_dynamics.errors import ConfigError, EmotionDynamicsError
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


def _error_classes() -> list[type[EmotionDynamicsError]]:
    from emotion_dynamics import errors

    found = [getattr(errors, name) for name in errors.__all__]
    return [c for c in found if isinstance(c, type) and issubclass(c, EmotionDynamicsError)]


def test_error_table_lists_every_code_the_handler_can_answer_with_its_status() -> None:
    text = README.read_text(encoding="utf-8")
    table = text.split("| status | code | `field` | when |", 1)[1].split("\n\n", 1)[0]
    rows = {
        m.group(2): int(m.group(1))
        for m in re.finditer(r"^\| (\d{3}) \| `([A-Z_]+)` \|", table, re.M)
    }
    answered = {c.code: c.status for c in _error_classes() if c is not ConfigError}
    assert rows == answered  # INTERNAL_ERROR is the root class's code
    assert "`CONFIG_ERROR` is never an answer" in text
