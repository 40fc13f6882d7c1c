"""Fixtures of the calibration tests: the small generated corpus, speech-dev, a stack file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEECH_DEV = REPO_ROOT.parent / "shared" / "speech-dev" / "manifest.csv"
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


@pytest.fixture
def stack_copy(tmp_path: Path) -> Path:
    """A temporary copy of Pulumi.dev.yaml."""
    target = tmp_path / "Pulumi.dev.yaml"
    shutil.copyfile(REPO_ROOT / "Pulumi.dev.yaml", target)
    return target
