"""The tuning notebook executed headless (papermill), writing back into a temporary stack file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ruamel.yaml import YAML

from calibration import tuning
from calibration.sample import load_sample
from calibration.stackfile import STACK_KEYS, read_thresholds, write_thresholds
from calibration.unlabelled import measure_sample
from emotion_dynamics import contract
from emotion_dynamics.config import default_config
from emotion_dynamics_dev.lab_browser import KERNEL_DISPLAY_NAME, KERNEL_NAME
from emotion_dynamics_infra.stack import validate_stack_file
from tests.calibration.conftest import REPO_ROOT

NOTEBOOK_PY = REPO_ROOT / "notebooks" / "calibrate_thresholds.py"
NOTEBOOK = REPO_ROOT / "notebooks" / "calibrate_thresholds.ipynb"
#: A Python warning's category in an output (``MatplotlibDeprecationWarning``, ``UserWarning``).
PYTHON_WARNING = re.compile(r"\b[A-Z][A-Za-z]*Warning\b|IProgress not found")


def _config(path: Path) -> dict[str, object]:
    return dict(YAML(typ="safe").load(path.read_text(encoding="utf-8"))["config"])


def _config_text(text: str) -> dict[str, object]:
    return dict(YAML(typ="safe").load(text)["config"])


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]


def _texts(nb: Any) -> Iterator[tuple[str, str]]:
    """(kind, text) of every cell output and of every widget's HTML value."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            kind = output.get("name") or output["output_type"]
            if output["output_type"] == "error":
                yield "error", "\n".join(output.get("traceback", []))
            if "text" in output:
                yield kind, output["text"]
            for mime, data in output.get("data", {}).items():
                if mime.startswith("text/"):
                    yield kind, data if isinstance(data, str) else "".join(data)
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for model in state.get("state", {}).values():
        value = model["state"].get("value")
        if isinstance(value, str):
            yield f"widget {model['model_name']}", value


def _models(nb: Any) -> list[str]:
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    return [model["model_name"] for model in state.values()]


def _run(tmp_path: Path, kernel: str, **parameters: Any) -> tuple[Any, str]:
    import papermill as pm

    executed = pm.execute_notebook(
        str(NOTEBOOK),
        str(tmp_path / "executed.ipynb"),
        parameters={"n_jobs": 2, "preview_backend": "espeak", **parameters},
        kernel_name=kernel,
        cwd=str(REPO_ROOT / "notebooks"),
        progress_bar=False,
    )
    texts = list(_texts(executed))
    problems = [
        f"{kind}: {text[:300]}"
        for kind, text in texts
        if kind in ("stderr", "error") or PYTHON_WARNING.search(text)
    ]
    assert problems == [], "the notebook printed warnings or errors"
    printed = "".join(text for kind, text in texts if kind == "stdout")
    return executed, printed


def _assert_stack_intact(path: Path, original_text: str, written: set[str]) -> None:
    original = YAML(typ="safe").load(original_text)["config"]
    after = _config(path)
    assert {k: v for k, v in after.items() if k not in written} == {
        k: v for k, v in original.items() if k not in written
    }
    text = path.read_text(encoding="utf-8")
    assert _comments(text) == _comments(original_text)
    assert len(text.splitlines()) == len(original_text.splitlines())
    validate_stack_file(path)  # the Pulumi program's own validation


def test_the_ipynb_is_the_py_percent_source_paired() -> None:
    import jupytext
    import nbformat

    source = jupytext.read(NOTEBOOK_PY)
    paired = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    assert [c.source for c in paired.cells] == [c.source for c in source.cells]
    assert all(not c.get("outputs") for c in paired.cells if c.cell_type == "code")
    assert paired.metadata["kernelspec"]["name"] == KERNEL_NAME
    assert paired.metadata["kernelspec"]["display_name"] == KERNEL_DISPLAY_NAME
    tagged = [c for c in paired.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for name in (
        "stack", "stack_file", "sample_audio", "manifests", "write_back", "only", "volume_mix",
        "n_jobs",
    ):  # fmt: skip
        assert re.search(rf"^{name} = ", tagged[0].source, re.MULTILINE)
    assert re.search(r"^write_back = False", tagged[0].source, re.MULTILINE)
    # the gate comes from the stack file, never from the notebook
    assert "0.85" not in "".join(c.source for c in paired.cells)


@pytest.mark.slow
def test_notebook_on_unlabelled_sample_audio_writes_back(
    sample_folder: Path, stack_copy: Path, tmp_path: Path, project_kernel: str
) -> None:
    original_text = stack_copy.read_text(encoding="utf-8")
    before = tuning.read_settings(stack_copy)
    # WHEN the notebook runs on a folder of 40 unlabelled clips with write-back
    executed, printed = _run(
        tmp_path, project_kernel, sample_audio=[str(sample_folder)], write_back=True,
        stack_file=str(stack_copy),
    )  # fmt: skip
    assert f"wrote {stack_copy}" in printed
    # THEN it wrote what the sample's quantiles, median and transcripts propose
    features = measure_sample(load_sample([sample_folder]), n_jobs=2)
    assert len(features) == 40
    expected = tuning.propose(features, [], before).settings
    after = tuning.read_settings(stack_copy)
    assert after == expected
    volume = after.volume
    assert volume.loud_dbfs > volume.medium_dbfs > volume.soft_dbfs
    levels = np.array([f.level_dbfs for f in features])
    median = float(np.median(levels))
    assert volume.medium_dbfs <= median < volume.loud_dbfs
    medium_share = np.mean((levels >= volume.medium_dbfs) & (levels < volume.loud_dbfs))
    assert 0.30 <= medium_share <= 0.80
    assert abs(after.reference_dbfs - median) <= 1.5
    assert after.rate == before.rate  # the sample keeps the product's rate bands
    assert after.min_stability == before.min_stability
    written = {
        k for k, v in tuning.stack_values(after).items() if v != tuning.stack_values(before)[k]
    }
    assert contract.VOLUME_REFERENCE_DBFS.full_key in written
    _assert_stack_intact(stack_copy, original_text, written)
    # AND the instrument rendered: ten sliders, figures, audio players, the preview's SSML
    models = _models(executed)
    assert models.count("FloatSliderModel") == 10
    assert models.count("ImageModel") == 2
    html = "".join(text for kind, text in _texts(executed) if kind.startswith("widget"))
    assert html.count("<audio") >= 10
    assert "relative mode" in html and "&lt;prosody" in html
    shown = "".join(text for _, text in _texts(executed))
    assert "defaults in use" not in shown  # a sample was given: no default was taken


@pytest.mark.slow
def test_notebook_on_labelled_corpus_fits_and_writes_back(
    small_corpus: Path, stack_copy: Path, tmp_path: Path, project_kernel: str
) -> None:
    # GIVEN a stack at the seed's volume thresholds (the generated corpus moves them)
    write_thresholds(stack_copy, default_config().volume, read_thresholds(stack_copy)[1])
    original_text = stack_copy.read_text(encoding="utf-8")
    before = tuning.read_settings(stack_copy)
    executed, printed = _run(
        tmp_path, project_kernel, manifests=[str(small_corpus)], write_back=True,
        stack_file=str(stack_copy), audio_players=False,
    )  # fmt: skip
    assert f"wrote {stack_copy}" in printed
    labelled = measure_sample(tuning.load_labelled([small_corpus]), n_jobs=2)
    expected = tuning.propose([], labelled, before).settings
    after = tuning.read_settings(stack_copy)
    assert (after.volume, after.rate) == (expected.volume, expected.rate)
    assert after.volume != before.volume and after.rate != before.rate
    # the labelled path fits thresholds only: reference, scale and gate stay
    assert (after.reference_dbfs, after.acoustic_scale, after.min_stability) == (
        before.reference_dbfs, before.acoustic_scale, before.min_stability,
    )  # fmt: skip
    written = {k for k in STACK_KEYS if _config(stack_copy)[k] != _config_text(original_text)[k]}
    _assert_stack_intact(stack_copy, original_text, written)
    html = "".join(text for kind, text in _texts(executed) if kind.startswith("widget"))
    assert "volume: label (rows) vs predicted" in html and "rate: label (rows)" in html
    shown = "".join(text for _, text in _texts(executed))
    assert "balanced_after_cv" in shown  # the labelled fit's cross-validated agreement
    assert "synthetic" in shown
