"""The notebook's widgets driven from Python: sliders, buttons, the labelling and preview tools."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from calibration import tuning
from calibration.labelling import LabelSession
from calibration.sample import SampleClip, read_sample_manifest
from calibration.widgets import SLIDERS, LabelTool, PreviewTool, TuningPanel
from emotion_dynamics import contract
from tests.calibration.test_tuning import CLIPS, SETTINGS

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def panel() -> TuningPanel:
    stack = dataclasses.replace(SETTINGS, min_stability=0.5)
    return TuningPanel(tuning.clip_frame(CLIPS), SETTINGS, stack, audio=False)


def test_one_slider_per_setting_starting_at_the_proposal(panel: TuningPanel) -> None:
    assert set(panel.sliders) == {spec.setting.key for spec in SLIDERS}
    assert contract.MIN_STABILITY_THRESHOLD.key in panel.sliders
    assert panel.settings() == SETTINGS
    assert panel.renders == 1
    assert bytes(panel.distributions.value).startswith(PNG)
    assert bytes(panel.gate_plot.value).startswith(PNG)
    # the slider spans the data with a margin, inside the setting's bounds
    loud = panel.sliders[contract.VOLUME_LOUD_THRESHOLD.key]
    assert loud.min == -48.0 and loud.max == -7.0


def test_moving_a_threshold_recomputes_the_shares_and_redraws(panel: TuningPanel) -> None:
    before = panel.distributions.value
    assert panel.view.volume_shares.loc["all", "loud"] == pytest.approx(100 / 6, abs=0.05)
    # WHEN the loud threshold moves below the "medium" clip (-20 dBFS)
    panel.sliders[contract.VOLUME_LOUD_THRESHOLD.key].value = -21.0
    # THEN that clip is loud, the tables and the figure are redrawn
    assert panel.renders == 2
    assert panel.view.volume_shares.loc["all", "loud"] == pytest.approx(200 / 6, abs=0.05)
    assert "33.3" in panel.volume_shares.value
    assert "<details>" in panel.clips.value and "synthetic" in panel.clips.value
    assert panel.distributions.value != before
    nearest = panel.view.nearest.set_index(["threshold", "side"])
    key = contract.VOLUME_LOUD_THRESHOLD.full_key
    assert nearest.loc[(key, "at or above"), "name"] == "medium"
    assert nearest.loc[(key, "below"), "name"] == "medium_low"
    assert "medium_low" in "".join(
        cell.value for row in panel.nearest.children for cell in row.children
    )


def test_the_gate_slider_moves_the_trade_off(panel: TuningPanel) -> None:
    assert panel.view.tradeoff.loc["rate", "applied %"] == pytest.approx(50.0)
    panel.sliders[contract.MIN_STABILITY_THRESHOLD.key].value = 0.7
    assert panel.view.tradeoff.loc["rate", "applied %"] == pytest.approx(400 / 6, abs=0.05)
    assert panel.view.tradeoff.loc["rate", "accuracy gated %"] == pytest.approx(100.0)
    assert "66.7" in panel.gate_table.value
    assert "at the gate 0.7" in panel.status.value


def test_the_scale_slider_reclassifies_rates(panel: TuningPanel) -> None:
    panel.sliders[contract.RATE_ACOUSTIC_SCALE.key].value = 1.3
    assert panel.view.classified.set_index("name").loc["medium", "rate_class"] == "x-fast"
    assert panel.view.rate_confusion is not None
    assert "exact rate (transcript)" in panel.confusion.value


def test_out_of_order_thresholds_are_flagged(panel: TuningPanel) -> None:
    panel.sliders[contract.VOLUME_MEDIUM_THRESHOLD.key].value = -10.0
    assert "thresholds out of order" in panel.status.value
    assert panel.view.problems


def test_buttons_restore_the_stack_and_the_proposal(panel: TuningPanel) -> None:
    panel.to_stack.click()
    assert panel.settings() == panel.stack
    assert panel.sliders[contract.MIN_STABILITY_THRESHOLD.key].value == 0.5
    renders = panel.renders
    panel.to_proposal.click()
    assert panel.settings() == SETTINGS
    assert panel.renders == renders + 1  # ten sliders moved, one redraw


def _clips(folder: Path) -> list[SampleClip]:
    out = []
    for i in range(3):
        path = folder / f"clip{i}.wav"
        sf.write(path, np.zeros(800, dtype=np.float32), 16000)
        out.append(SampleClip(path=path, corpus="mine", transcript=None))
    return out


def test_label_tool_buttons_write_a_manifest_and_refuse_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "labels.csv"
    tool = LabelTool(LabelSession(_clips(tmp_path), target))
    assert "<audio" in tool.player.value and "clip 1 of 3" in tool.counter.value
    tool.buttons[("volume", "soft")].click()
    tool.buttons[("rate", "x-fast")].click()
    assert tool.buttons[("volume", "soft")].button_style == "info"
    tool.next.click()
    assert "clip1.wav" in tool.info.value
    assert tool.buttons[("volume", "soft")].button_style == ""
    tool.buttons[("volume", "loud")].click()
    tool.save.click()
    assert f"wrote {target}" in tool.status.value
    rows = read_sample_manifest(target)
    assert [(r.name, r.volume_label, r.rate_label) for r in rows] == [
        ("clip0.wav", "soft", "x-fast"),
        ("clip1.wav", "loud", None),
    ]
    written = target.read_text(encoding="utf-8")
    tool.previous.click()
    tool.buttons[("volume", "medium")].click()
    tool.save.click()
    assert "exists" in tool.status.value and "nothing was written" in tool.status.value
    assert target.read_text(encoding="utf-8") == written
    tool.overwrite.value = True
    tool.save.click()
    assert read_sample_manifest(target)[0].volume_label == "medium"


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_preview_speaks_through_the_app_in_both_modes(
    tmp_path: Path, stack_copy: Path, speech_dev: Path
) -> None:
    clip = speech_dev.parent / "clips" / "vctk_p225_023.wav"
    features = [dataclasses.replace(CLIPS[3], path=str(clip))]
    settings = dataclasses.replace(tuning.read_settings(stack_copy), reference_dbfs=-30.0)
    panel = TuningPanel(tuning.clip_frame(features), settings, settings, audio=False)
    tool = PreviewTool(
        panel, [SampleClip(path=clip, corpus="speech-dev")], stack_copy, backend="espeak"
    )
    classes, relative = tool.results
    assert (classes.mode, relative.mode) == ("classes", "relative")
    assert classes.status == relative.status == 200
    assert classes.content_type == "audio/wav" and classes.audio
    # the clip is about 10 dB above the reference the panel set: a positive offset
    assert relative.volume is not None and relative.volume["applied"].startswith("+")
    assert 'volume="+' in (relative.ssml or "")
    assert classes.volume is not None and classes.volume["applied"] in ("loud", "medium")
    assert tool.out.value.count("<audio") == 3  # the speaker, then each mode's rendering
    # each mode names the confidence its gate compared
    assert relative.rate is not None and classes.rate is not None
    assert f"relative confidence {relative.rate['relative_confidence']}" in tool.out.value
    assert f", confidence {classes.rate['confidence']})" in tool.out.value
    # WHEN the reference slider moves to the clip's level, the relative volume goes neutral
    level = classes.volume["level_dbfs"]
    panel.sliders[contract.VOLUME_REFERENCE_DBFS.key].value = round(level, 1)
    tool.speak.click()
    assert tool.results[1].volume is not None and tool.results[1].volume["applied"] is None
