"""Acceptance of the prosody transfer on real speech (speech-dev) with the espeak-ng backend.

The same evaluation as `make bench`'s fidelity section (benchmarks/fidelity.py): relative mode,
dead bands at 0, the stack defaults otherwise.
"""

from __future__ import annotations

import shutil

import pytest

from benchmarks import fidelity
from calibration.norms import measure_norms
from calibration.voices import measure_voice
from emotion_dynamics import languages
from emotion_dynamics.synthesis import SynthesisRequest
from emotion_dynamics_dev.espeak import ESPEAK_PROFILES, EspeakSynthesizer
from tests import speech_dev

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"),
]


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, float]]:
    speech_dev.skip_unless_available()
    return fidelity.evaluate(fidelity.speech_dev_clips(), ways=["relative"])


def test_fixed_text_follows_the_speakers_rate_and_level(
    results: dict[str, dict[str, float]],
) -> None:
    transcript, acoustic = results["relative/transcript"], results["relative/acoustic"]
    print(results)
    assert transcript["rate_spearman"] >= 0.90
    assert acoustic["rate_spearman"] >= 0.70
    assert transcript["level_spearman"] >= 0.90 and acoustic["level_spearman"] >= 0.90


def test_same_text_lasts_as_long_as_the_speaker(results: dict[str, dict[str, float]]) -> None:
    assert results["relative/transcript"]["within_15"] >= 0.70
    assert results["relative/acoustic"]["within_15"] >= 0.50


def test_japanese_and_korean_readers_are_not_fast_for_their_language_alone() -> None:
    speech_dev.skip_unless_available()
    table = fidelity.language_table(
        fidelity.speech_dev_clips(speech_dev.SPEECH_DEV_DIR / "extra" / "manifest.csv")
    )
    for language in ("ja", "ko"):
        assert 0.6 <= table[language]["transcript+lang"] <= 1.7, table[language]
    assert table["en"]["transcript+lang"] == pytest.approx(table["en"]["transcript"])


def test_the_shipped_espeak_profile_is_what_the_command_measures() -> None:
    espeak = EspeakSynthesizer()

    def render(ssml: str) -> bytes:
        request = SynthesisRequest("", ssml, "espeak", "standard", "pcm", 16000)
        return espeak.synthesize(request).audio

    measured = measure_voice(render, voice_id="en-us", rates=()).profile
    shipped = ESPEAK_PROFILES["en-us"]
    assert measured.syllables_per_s == pytest.approx(shipped.syllables_per_s, rel=0.02)
    assert measured.level_dbfs == pytest.approx(shipped.level_dbfs, abs=0.5)
    assert measured.seconds_per_letter == pytest.approx(shipped.seconds_per_letter, rel=0.05)


def test_the_estimator_ratios_are_current() -> None:
    speech_dev.skip_unless_available()
    rows = measure_norms(
        [
            speech_dev.SPEECH_DEV_DIR / "manifest.csv",
            speech_dev.SPEECH_DEV_DIR / "extra" / "manifest.csv",
        ]
    )
    for row in rows:
        committed = languages._ESTIMATOR_RATIO[row.language]
        assert row.ratio_median == pytest.approx(committed, abs=0.01), (
            f"{row.language}: run `python -m calibration norms` and update languages.py"
        )
