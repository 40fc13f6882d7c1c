"""The layout's rules: code is imported as installed packages, never glued by path edits."""

from __future__ import annotations

import re
import tomllib

from tests.support import ROOT

#: The folders issue 9 names; ``tools/`` is held to the same rule.
FOLDERS = ("lambda", "pulumi", "calibration", "policy", "scripts", "benchmarks", "datasets",
           "notebooks", "tools")  # fmt: skip
#: ``sys.path`` edits, executing files by path, and sys.modules injection.
GLUE = re.compile(
    r"sys\.path\s*(\.|\[|\+?=)|spec_from_file_location|runpy\.run_path|sys\.modules\s*\["
)


def test_no_path_edits_or_files_executed_by_path() -> None:
    offenders = []
    checked = 0
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in {".py", ".ipynb"} or ".ipynb_checkpoints" in path.parts:
                continue
            checked += 1
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if GLUE.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert checked > 50
    assert offenders == []


def test_glue_pattern_catches_what_it_is_for() -> None:
    for line in ("sys.path.insert(0, here)", "sys.path[:0] = [x]", "sys.path += [x]",
                 "importlib.util.spec_from_file_location('s', p)", "runpy.run_path(p)",
                 "sys.modules['settings'] = module"):  # fmt: skip
        assert GLUE.search(line), line
    assert not GLUE.search("print(sys.platform)")


def test_no_pythonpath_or_mypy_path_glue_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    tools = config.get("tool", {})
    assert "pythonpath" not in tools.get("pytest", {}).get("ini_options", {})
    assert "mypy_path" not in tools.get("mypy", {})
