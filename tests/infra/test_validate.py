"""``make validate STACK=...``: one line, exit 0 or 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.infra_harness import REPO


def validate(*paths: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emotion_dynamics_infra.validate", *map(str, paths)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _prod_copy(tmp_path: Path, alarm_line: str) -> Path:
    text = (REPO / "Pulumi.prod.yaml").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("  emotion-dynamics:alarmEmail:"))
    target = tmp_path / "Pulumi.prod.yaml"
    target.write_text(text.replace(line, alarm_line), encoding="utf-8")
    return target


def test_a_valid_stack_file_gets_a_one_line_verdict() -> None:
    done = validate("Pulumi.dev.yaml")
    assert (done.returncode, done.stderr) == (0, "")
    assert (
        done.stdout
        == "Pulumi.dev.yaml: valid (emotion-dynamics-dev, us-east-1, neural, python3.12/x86_64)\n"
    )


def test_prod_with_an_operators_address_is_valid(tmp_path: Path) -> None:
    done = validate(_prod_copy(tmp_path, "  emotion-dynamics:alarmEmail: oncall@speech-team.io"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Pulumi.prod.yaml: valid (emotion-dynamics-prod, us-east-1,")


@pytest.mark.parametrize(
    ("alarm_line", "fragment"),
    [
        (
            "  emotion-dynamics:alarmEmail: someone@example.com",
            "emotion-dynamics:alarmEmail: 'someone@example.com' is a placeholder address",
        ),
        ('  emotion-dynamics:alarmEmail: ""', "emotion-dynamics:alarmEmail: a production stack"),
    ],
)
def test_a_refused_prod_file_names_the_key_in_one_line(
    tmp_path: Path, alarm_line: str, fragment: str
) -> None:
    done = validate(_prod_copy(tmp_path, alarm_line))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"Pulumi.prod.yaml: {fragment}")


def test_missing_and_broken_files_get_one_line_too(tmp_path: Path) -> None:
    broken = tmp_path / "Pulumi.broken.yaml"
    broken.write_text("config:\n  emotion-dynamics:voiceId: [unclosed\n", encoding="utf-8")
    done = validate(tmp_path / "Pulumi.none.yaml", broken)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0].startswith("Pulumi.none.yaml: cannot read the file")
    assert lines[1].startswith("Pulumi.broken.yaml: not valid YAML")
    assert len(lines) == 2 and "Traceback" not in done.stderr


def test_make_validate_is_the_documented_command() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "-m emotion_dynamics_infra.validate Pulumi.$(STACK).yaml" in makefile
    assert "make validate STACK=prod" in (REPO / "README.md").read_text(encoding="utf-8")
