"""The calibration notebook, executed headless with write-back into a temporary stack file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from calibration.stackfile import STACK_KEYS, read_thresholds
from emotion_dynamics_infra.stack import validate_stack_file
from tests.calibration.conftest import REPO_ROOT, SPEECH_DEV

NOTEBOOK_PY = REPO_ROOT / "notebooks" / "calibrate_thresholds.py"
NOTEBOOK = REPO_ROOT / "notebooks" / "calibrate_thresholds.ipynb"


def _config(path: Path) -> dict[str, object]:
    return dict(YAML(typ="safe").load(path.read_text(encoding="utf-8"))["config"])


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]


def test_the_ipynb_is_the_py_percent_source_paired() -> None:
    import jupytext
    import nbformat

    source = jupytext.read(NOTEBOOK_PY)
    paired = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    assert [c.source for c in paired.cells] == [c.source for c in source.cells]
    assert all(not c.get("outputs") for c in paired.cells if c.cell_type == "code")
    tagged = [c for c in paired.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in ("stack", "manifests", "write_back", "stack_file", "n_jobs"):
        assert re.search(rf"^{name} = ", tagged[0].source, re.MULTILINE)


@pytest.mark.slow
@pytest.mark.parametrize(
    "with_speech_dev", [False, True], ids=["generated", "generated+speech-dev"]
)
def test_notebook_calibrates_and_writes_back(
    small_corpus: Path, stack_copy: Path, tmp_path: Path, with_speech_dev: bool
) -> None:
    manifests = [str(small_corpus)]
    if with_speech_dev:
        if not SPEECH_DEV.is_file():
            pytest.skip(
                f"speech-dev is not available at {SPEECH_DEV} (it lives outside the repository)"
            )
        manifests.append(str(SPEECH_DEV))
    import papermill as pm

    original_text = stack_copy.read_text(encoding="utf-8")
    original = _config(stack_copy)
    # WHEN the notebook runs headless with write-back into the temporary copy
    executed = pm.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "executed.ipynb"),
        parameters={"stack": "dev", "manifests": manifests, "write_back": True,
                    "stack_file": str(stack_copy), "n_jobs": 2},
        kernel_name="python3",
        cwd=str(REPO_ROOT / "notebooks"),
        progress_bar=False,
    )  # fmt: skip
    printed = "".join(
        out.get("text", "")
        for cell in executed.cells
        for out in cell.get("outputs", [])
        if out.get("name") == "stdout"
    )
    # THEN the proposed thresholds it printed are the ones written, as quoted strings
    proposed = dict(
        re.findall(r"^(emotion-dynamics:\w+Threshold): '([-0-9.]+)'$", printed, re.MULTILINE)
    )
    assert set(proposed) == set(STACK_KEYS)
    after = _config(stack_copy)
    assert {key: after[key] for key in STACK_KEYS} == proposed
    assert "written to" in printed
    # AND they are ordered
    volume, rate = read_thresholds(stack_copy)
    assert volume.loud_dbfs > volume.medium_dbfs > volume.soft_dbfs
    assert rate.very_slow_wpm < rate.slow_wpm < rate.medium_wpm < rate.fast_wpm
    # AND every other key and every comment survive
    assert {k: v for k, v in after.items() if k not in STACK_KEYS} == {
        k: v for k, v in original.items() if k not in STACK_KEYS
    }
    after_text = stack_copy.read_text(encoding="utf-8")
    assert _comments(after_text) == _comments(original_text)
    assert len(after_text.splitlines()) == len(original_text.splitlines())
    # AND the Pulumi program's config validation accepts the result
    validated = validate_stack_file(stack_copy)
    assert validated.thresholds["volumeLoudThreshold"] == volume.loud_dbfs
    assert validated.thresholds["rateFastThreshold"] == rate.fast_wpm
