"""The tuning notebook in a real browser: JupyterLab on 127.0.0.1, Debian's chromium, selenium."""

from __future__ import annotations

from pathlib import Path

import pytest

from emotion_dynamics_dev.lab_browser import (
    KERNEL_NAME,
    NotebookPage,
    chromium,
    missing_browser,
    running_lab,
)
from tests.calibration.conftest import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "calibrate_thresholds.ipynb"


@pytest.mark.slow
def test_notebook_runs_and_redraws_in_jupyterlab(
    tmp_path: Path, stack_copy: Path, speech_dev: Path
) -> None:
    missing = missing_browser()
    if missing:
        pytest.skip(
            f"Debian's {' and '.join(missing)} not installed (apt-get install {' '.join(missing)})"
        )
    import papermill as pm

    # GIVEN the notebook, parameters injected (defaults for the audio: speech-dev as sample)
    root = tmp_path / "root"
    root.mkdir()
    pm.execute_notebook(
        str(NOTEBOOK), str(root / NOTEBOOK.name), prepare_only=True, progress_bar=False,
        parameters={"stack_file": str(stack_copy), "preview_backend": "espeak", "n_jobs": 2},
    )  # fmt: skip
    original = stack_copy.read_bytes()
    with running_lab(root, tmp_path / "state") as lab:
        with chromium(tmp_path / "profile") as driver:
            page = NotebookPage(driver, lab, NOTEBOOK.name)
            # WHEN it is opened in JupyterLab and every cell is run
            page.open()
            assert page.kernel_name() == KERNEL_NAME
            cells = page.run_all()
            # THEN nothing failed, and the widgets, plots and players rendered
            assert page.errors() == []
            assert all(cell["count"] is not None for cell in cells)
            rendered = page.rendered()
            assert rendered["sliders"] == 10
            assert rendered["images"] >= 2  # the distributions and the gate's trade-off
            assert rendered["audio"] >= 10  # nearest clips, preview, labelling
            assert rendered["tables"] >= 4
            body = driver.execute_script("return document.body.innerText;")
            assert "defaults in use" in body and "no sample_audio given" in body
            assert f"would change {stack_copy}" in body
            # WHEN a slider moves, THEN the kernel redraws the figure
            before = page.image_sources()
            page.set_slider("loud ≥", -17.0)
            page.wait(lambda: page.image_sources()[0] != before[0], timeout_s=30, what="a redraw")
            assert page.errors() == []
        process = lab.process
    assert process.poll() is not None  # the test's JupyterLab is stopped
    assert stack_copy.read_bytes() == original  # write_back is False by default
