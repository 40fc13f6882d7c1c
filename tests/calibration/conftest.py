"""Fixtures of the calibration tests: corpora, speech-dev as sample audio, stack files, kernel."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEECH_DEV = REPO_ROOT.parent / "shared" / "speech-dev" / "manifest.csv"
SPEECH_DEV_EXTRA = SPEECH_DEV.parent / "extra" / "manifest.csv"
SMALL_SEED = 0


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small generated corpus (60 clips), rendered once per session; its manifest path."""
    if shutil.which("espeak-ng") is None or shutil.which("flite") is None:
        pytest.skip("espeak-ng and flite are needed to generate the corpus")
    from calibration.generator import generate_corpus

    out = tmp_path_factory.mktemp("corpus") / "generated-small"
    return generate_corpus(out, size="small", seed=SMALL_SEED, n_jobs=2, progress=False)


@pytest.fixture
def speech_dev() -> Path:
    if not SPEECH_DEV.is_file():
        pytest.skip(
            f"speech-dev is not available at {SPEECH_DEV} (it lives outside the repository)"
        )
    return SPEECH_DEV


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 real clips as a deployment would have them: a folder per speaker, no labels.

    speech-dev's 38 clips and extra/'s two English read clips, copied into a temporary folder
    (never into the project), each with its transcript beside it (``clip.transcript.txt``).
    """
    if not SPEECH_DEV.is_file():
        pytest.skip(
            f"speech-dev is not available at {SPEECH_DEV} (it lives outside the repository)"
        )
    out = tmp_path_factory.mktemp("sample") / "sample-audio"
    for manifest in (SPEECH_DEV, SPEECH_DEV_EXTRA):
        if not manifest.is_file():
            continue
        with manifest.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if (row.get("language") or "en") != "en" or (row.get("style") or "read") != "read":
                    continue
                speaker = re.sub(r"[^A-Za-z0-9]+", "-", row["speaker"]).strip("-")
                audio = manifest.parent / row["file"]
                target = out / speaker / audio.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(audio, target)
                target.with_suffix(".transcript.txt").write_text(
                    row["transcript"] + "\n", encoding="utf-8"
                )
    return out


@pytest.fixture
def stack_copy(tmp_path: Path) -> Path:
    """A temporary copy of Pulumi.dev.yaml."""
    target = tmp_path / "Pulumi.dev.yaml"
    shutil.copyfile(REPO_ROOT / "Pulumi.dev.yaml", target)
    return target


@pytest.fixture
def project_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The project's kernel spec (this Python) in a private JUPYTER_PATH; its name."""
    from emotion_dynamics_dev.lab_browser import KERNEL_NAME, write_kernelspec

    data = tmp_path / "jupyter-data"
    write_kernelspec(data)
    monkeypatch.setenv("JUPYTER_PATH", str(data))
    return KERNEL_NAME
