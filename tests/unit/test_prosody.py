"""From measurements to prosody: classes, the relative mode, voice factors and the duration fit."""

from __future__ import annotations

import dataclasses

import pytest

from emotion_dynamics.config import ProsodySettings, load_config
from emotion_dynamics.detectors.pace import judge, reference_wpm
from emotion_dynamics.languages import NORMS, norm_for
from emotion_dynamics.models import RateClass, RateMethod, RateResult, VolumeClass, VolumeResult
from emotion_dynamics.prosody import Prosody, choose_prosody
from emotion_dynamics.voices import VoiceProfile, parse_profiles, rate_factor, text_features

RELATIVE = load_config(
    {"PROSODY_MODE": "relative", "RATE_DEAD_BAND_PERCENT": "10", "VOLUME_DEAD_BAND_DB": "1"}
)
THRESHOLDS = RELATIVE.rate
TEXT = "The train leaves at eight tonight."


def rate(
    syllables_per_s: float, *, language: str = "en", method: RateMethod = RateMethod.TRANSCRIPT
) -> RateResult:
    wpm = syllables_per_s * 60 / 1.4
    raw = RateResult(
        wpm=wpm, rate_class=RateClass.MEDIUM, method=method, confidence=0.95, speech_s=2.0,
        syllables_per_s=syllables_per_s,
    )  # fmt: skip
    return judge(raw, language=language, given=True, thresholds=THRESHOLDS)


def volume(level: float) -> VolumeResult:
    return VolumeResult(
        level_dbfs=level, volume_class=VolumeClass.MEDIUM, confidence=1.0, active_speech_s=2.0
    )


def choose(
    level_dbfs: float | None = None,
    syllables_per_s: float | None = None,
    *,
    settings: ProsodySettings = RELATIVE.prosody,
    profile: VoiceProfile | None = None,
    text: str = TEXT,
    engine: str = "neural",
    max_duration_s: float | None = None,
    fit_to_source: bool = False,
    speaker_speech_s: float | None = None,
) -> Prosody:
    """:func:`choose_prosody` for a gated-in level and syllable rate (``None``: gated out)."""
    return choose_prosody(
        text,
        volume=None if level_dbfs is None else volume(level_dbfs),
        rate=None if syllables_per_s is None else rate(syllables_per_s),
        settings=settings,
        profile=profile,
        engine=engine,
        max_duration_s=max_duration_s,
        fit_to_source=fit_to_source,
        speaker_speech_s=speaker_speech_s,
    )


def test_english_is_classed_by_wpm_as_before() -> None:
    result = rate(4.12)  # English norm: relative 1.0, but 176 WPM is 'fast' by the bands
    assert result.relative == pytest.approx(1.0)
    assert result.rate_class is RateClass.FAST


@pytest.mark.parametrize("language", ["es", "ja", "fr", "de", "zh", "ko"])
def test_another_language_at_its_typical_pace_is_medium(language: str) -> None:
    norm = norm_for(language)[1].exact_syllables_per_s
    result = rate(norm, language=language)
    assert result.relative == pytest.approx(1.0)
    assert result.rate_class is RateClass.MEDIUM
    assert rate(norm * 1.3, language=language).rate_class in (RateClass.FAST, RateClass.X_FAST)
    assert reference_wpm(THRESHOLDS) == 145.0


def test_unknown_language_uses_englishs_norm_and_says_so() -> None:
    result = rate(4.12, language="sw")
    assert result.pace is not None and not result.pace.known
    assert result.pace.norm_syllables_per_s == NORMS["en"].exact_syllables_per_s
    assert norm_for("pt-BR")[0] == "pt"


def test_acoustic_rates_are_relative_to_the_estimators_own_norm() -> None:
    result = rate(3.0, method=RateMethod.ACOUSTIC)
    assert result.pace is not None
    assert result.pace.norm_syllables_per_s == NORMS["en"].acoustic_syllables_per_s


def test_classes_mode_emits_the_keywords() -> None:
    prosody = choose(-15, 5.5, settings=load_config({}).prosody)
    assert (prosody.volume, prosody.rate) == ("medium", "x-fast")


def test_relative_mode_follows_the_speaker() -> None:
    fast = choose(-14.0, 4.12 * 1.3)
    assert (fast.volume, fast.rate) == ("+6.0dB", "130%")
    slow = choose(-26.25, 4.12 * 0.7)
    assert (slow.volume, slow.rate) == ("-6.2dB", "70%")


def test_a_gated_rate_in_relative_mode_is_the_typical_pace_of_the_voices_language() -> None:
    # The voice's own default is not the typical speaker's: a voice measured 25 % faster than
    # English's norm speaks a gated (or unmeasured) rate at 80 %, as it would a typical speaker.
    settings = load_config({"PROSODY_MODE": "relative", "RATE_DEAD_BAND_PERCENT": "0"}).prosody
    fast_voice = VoiceProfile(language="en", syllables_per_s=4.12 * 1.25, level_dbfs=-20.0)
    gated = choose(settings=settings, profile=fast_voice)
    typical = choose(None, 4.12, settings=settings, profile=fast_voice)
    assert gated.rate == typical.rate == "80%"
    assert gated.rate_note is None
    # An unmeasured voice (factor 1.0) and a gated rate emit nothing.
    unmeasured = choose(settings=settings)
    assert unmeasured.rate is None


def test_dead_bands_leave_the_attribute_out_with_a_note() -> None:
    prosody = choose(-20.5, 4.12 * 1.05)
    assert prosody.volume is None and prosody.rate is None
    assert prosody.volume_note and "dead band" in prosody.volume_note
    assert prosody.rate_note and "dead band" in prosody.rate_note


def test_clamps() -> None:
    settings = dataclasses.replace(
        RELATIVE.prosody, rate_percent_min=50, rate_percent_max=150, volume_offset_limit_db=6.0
    )
    prosody = choose(-1.0, 4.12 * 3, settings=settings)
    assert (prosody.volume, prosody.rate) == ("+6.0dB", "150%")
    prosody = choose(-60.0, 4.12 * 0.2, settings=settings)
    assert (prosody.volume, prosody.rate) == ("-6.0dB", "50%")


def test_a_fast_voice_gets_a_lower_percentage() -> None:
    fast_voice = VoiceProfile("en", 4.12 * 1.25, -20.0)
    assert rate_factor(fast_voice) == pytest.approx(0.8)
    prosody = choose(None, 4.12, profile=fast_voice)
    assert prosody.rate == "80%"
    assert rate_factor(None) == 1.0


def test_duration_model_predicts_per_text() -> None:
    voice = VoiceProfile("en", 4.5, -20.0, seconds_per_letter=0.06, seconds_per_pause=0.2)
    text = "One, two, three."
    letters, pauses = text_features(text)
    assert (letters, pauses) == (11, 2)
    assert voice.seconds_at_100(text, 3) == pytest.approx(11 * 0.06 + 2 * 0.2)


def test_duration_fit_raises_the_rate_and_never_lowers_it() -> None:
    voice = VoiceProfile("en", 4.0, -20.0)
    long_text = "This sentence is far too long to fit into the half second it is given here."
    fitted = choose(None, 4.12 * 0.7, profile=voice, text=long_text, max_duration_s=3.0)
    assert fitted.duration is not None and fitted.duration.limit_s == 3.0
    assert fitted.duration.predicted_s <= 3.0 + 1e-9
    assert fitted.rate is not None and int(fitted.rate[:-1]) > 70
    assert fitted.max_duration_ms is None  # neural has no amazon:max-duration
    roomy = choose(None, 4.12 * 1.3, profile=voice, text=long_text, max_duration_s=60.0)
    assert roomy.rate == choose(None, 4.12 * 1.3, profile=voice, text=long_text).rate
    standard = choose(
        profile=voice, text=long_text, engine="standard", fit_to_source=True, speaker_speech_s=2.5
    )
    assert standard.max_duration_ms == 2500 and standard.rate is not None


def test_profiles_are_parsed_and_checked() -> None:
    profiles = parse_profiles(["Joanna=en-US:4.85:-21.3", "Joanna@standard=en-US:5.1:-20:61.5:190"])
    assert profiles["Joanna"].seconds_per_letter is None
    assert profiles["Joanna@standard"].seconds_per_letter == pytest.approx(0.0615)
    assert (
        profiles["Joanna@standard"].render("Joanna@standard")
        == "Joanna@standard=en-US:5.10:-20.0:61.5:190.0"
    )
    with pytest.raises(ValueError, match="twice"):
        parse_profiles(["Joanna=en:4:-20", "Joanna=en:5:-20"])
    with pytest.raises(ValueError, match="positive"):
        parse_profiles(["Joanna=en:0:-20"])
