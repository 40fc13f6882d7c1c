"""The tuning notebook's widgets (ipywidgets), wired to plain functions of :mod:`.tuning`.

:class:`TuningPanel` holds one slider per setting; every change recomputes
:func:`calibration.tuning.view` and redraws its outputs (figures as PNG, tables as
DataFrames, the clips nearest each threshold as ``IPython.display.Audio`` players), always as
widget state (HTML and Image widgets, no Output widget: papermill's nbclient stalls for its full
cell timeout when an Output widget receives audio, jupyter/nbclient#312), so a headless run
records it too.
:class:`LabelTool` and :class:`PreviewTool` are the labelling and listening tools. Their
callbacks are methods that can be driven from Python (``slider.value = ...``, ``button.click()``).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import ipywidgets as w
import numpy as np
import pandas as pd
from IPython import display as ipd
from pandas.io.formats.style import Styler

from calibration import plots
from calibration.errors import CalibrationError
from calibration.fit import RATE_BOUNDS_WPM, RATE_NAMES, VOLUME_BOUNDS_DBFS, VOLUME_NAMES
from calibration.labelling import LabelSession
from calibration.preview import PREVIEW_TEXT, Backend, Spoken, speak
from calibration.sample import SampleClip
from calibration.tuning import Confusion, Settings, View, view
from emotion_dynamics import contract
from emotion_dynamics.config import RateThresholds, VolumeThresholds

__all__ = [
    "SLIDERS",
    "LabelTool",
    "PreviewTool",
    "TuningPanel",
    "audio_html",
    "table_html",
    "warning_html",
]


def audio_html(
    *, filename: str | None = None, data: bytes | None = None, mimetype: str = ""
) -> str:
    """The HTML of an ``IPython.display.Audio`` player of a file or of encoded bytes."""
    player = ipd.Audio(data=data, filename=filename)  # type: ignore[no-untyped-call]
    if mimetype:
        player.mimetype = mimetype
    return str(player._repr_html_())  # type: ignore[no-untyped-call]


def table_html(table: pd.DataFrame | Styler) -> str:
    """A DataFrame (or its Styler) as HTML styled like JupyterLab's own output."""
    text = table.to_html()
    return f'<div class="jp-RenderedHTMLCommon" style="padding:0">{text}</div>'


@dataclasses.dataclass(frozen=True, slots=True)
class SliderSpec:
    """One slider: the setting it sets, its label, bounds, step and readout format."""

    setting: contract.Setting
    label: str
    bounds: tuple[float, float]
    step: float
    readout: str
    group: str


SLIDERS: Final = (
    SliderSpec(contract.VOLUME_LOUD_THRESHOLD, "loud ≥", VOLUME_BOUNDS_DBFS, 0.1, ".1f", "volume"),
    SliderSpec(contract.VOLUME_MEDIUM_THRESHOLD, "medium ≥", VOLUME_BOUNDS_DBFS, 0.1, ".1f", "volume"),
    SliderSpec(contract.VOLUME_SOFT_THRESHOLD, "soft ≥", VOLUME_BOUNDS_DBFS, 0.1, ".1f", "volume"),
    SliderSpec(contract.VOLUME_REFERENCE_DBFS, "reference", VOLUME_BOUNDS_DBFS, 0.1, ".1f", "volume"),
    SliderSpec(contract.RATE_VERY_SLOW_THRESHOLD, "slow ≥", RATE_BOUNDS_WPM, 0.5, ".1f", "rate"),
    SliderSpec(contract.RATE_SLOW_THRESHOLD, "medium ≥", RATE_BOUNDS_WPM, 0.5, ".1f", "rate"),
    SliderSpec(contract.RATE_MEDIUM_THRESHOLD, "fast ≥", RATE_BOUNDS_WPM, 0.5, ".1f", "rate"),
    SliderSpec(contract.RATE_FAST_THRESHOLD, "x-fast ≥", RATE_BOUNDS_WPM, 0.5, ".1f", "rate"),
    SliderSpec(contract.RATE_ACOUSTIC_SCALE, "scale", (0.5, 2.0), 0.001, ".3f", "rate"),
    SliderSpec(contract.MIN_STABILITY_THRESHOLD, "min conf.", (0.0, 1.0), 0.01, ".2f", "gate"),
)  # fmt: skip
_GROUP_TITLES: Final = {
    "volume": "volume thresholds, reference (dBFS)",
    "rate": "rate thresholds (WPM), acoustic scale",
    "gate": "confidence gate (0..1)",
}
#: Columns of the clip table under the sliders.
_CLIP_COLUMNS: Final = (
    "name", "kind", "corpus", "level_dbfs", "volume_class", "volume_applied", "rate_wpm",
    "rate_confidence", "rate_class", "rate_applied", "exact_wpm", "rate_reference",
)  # fmt: skip
#: Margin around the data (and the given settings) that a slider spans.
_MARGIN: Final = {"volume": 8.0, "rate": 40.0}


def _values(settings: Settings) -> dict[str, float]:
    """Slider key -> value of ``settings``."""
    v, r = settings.volume, settings.rate
    return {
        contract.VOLUME_LOUD_THRESHOLD.key: v.loud_dbfs,
        contract.VOLUME_MEDIUM_THRESHOLD.key: v.medium_dbfs,
        contract.VOLUME_SOFT_THRESHOLD.key: v.soft_dbfs,
        contract.VOLUME_REFERENCE_DBFS.key: settings.reference_dbfs,
        contract.RATE_VERY_SLOW_THRESHOLD.key: r.very_slow_wpm,
        contract.RATE_SLOW_THRESHOLD.key: r.slow_wpm,
        contract.RATE_MEDIUM_THRESHOLD.key: r.medium_wpm,
        contract.RATE_FAST_THRESHOLD.key: r.fast_wpm,
        contract.RATE_ACOUSTIC_SCALE.key: settings.acoustic_scale,
        contract.MIN_STABILITY_THRESHOLD.key: settings.min_stability,
    }


def _settings(values: dict[str, float]) -> Settings:
    return Settings(
        volume=VolumeThresholds(
            loud_dbfs=values[contract.VOLUME_LOUD_THRESHOLD.key],
            medium_dbfs=values[contract.VOLUME_MEDIUM_THRESHOLD.key],
            soft_dbfs=values[contract.VOLUME_SOFT_THRESHOLD.key],
        ),
        rate=RateThresholds(
            very_slow_wpm=values[contract.RATE_VERY_SLOW_THRESHOLD.key],
            slow_wpm=values[contract.RATE_SLOW_THRESHOLD.key],
            medium_wpm=values[contract.RATE_MEDIUM_THRESHOLD.key],
            fast_wpm=values[contract.RATE_FAST_THRESHOLD.key],
        ),
        reference_dbfs=values[contract.VOLUME_REFERENCE_DBFS.key],
        min_stability=values[contract.MIN_STABILITY_THRESHOLD.key],
        acoustic_scale=values[contract.RATE_ACOUSTIC_SCALE.key],
    )


def _span(
    spec: SliderSpec, frame: pd.DataFrame, settings: Sequence[Settings]
) -> tuple[float, float]:
    """The slider's range: the data and the given settings with a margin, within the bounds."""
    low, high = spec.bounds
    if spec.group not in _MARGIN or spec.setting is contract.RATE_ACOUSTIC_SCALE:
        return low, high
    column = "level_dbfs" if spec.group == "volume" else "raw_wpm"
    data = frame[column].to_numpy(dtype=float)
    if spec.group == "rate":
        data = np.concatenate([data * s.acoustic_scale for s in settings])
    points = [*data[np.isfinite(data)], *(_values(s)[spec.setting.key] for s in settings)]
    margin = _MARGIN[spec.group]
    return max(low, np.floor(min(points) - margin)), min(high, np.ceil(max(points) + margin))


def warning_html(messages: Sequence[str], *, title: str = "warning") -> str:
    """A visible warning box (HTML) listing ``messages``; empty text when there are none."""
    if not messages:
        return ""
    items = "".join(f"<li>{html.escape(m)}</li>" for m in messages)
    return (
        '<div class="calibration-warning" style="border-left:4px solid #e0a800;'
        'background:#fff8e1;padding:6px 12px;margin:4px 0;color:#5d4300">'
        f"<b>{html.escape(title)}</b><ul style='margin:4px 0'>{items}</ul></div>"
    )


def _caption(text: str) -> w.HTML:
    return w.HTML(f"<b>{html.escape(text)}</b>")


def _confusion_html(result: Confusion | None, dimension: str) -> str:
    if result is None:
        return f"<p><i>{dimension}: no labelled clips, no confusion matrix</i></p>"
    title = (
        f"{dimension}: {result.reference} (rows) vs predicted (columns), {result.n} clips: "
        f"exact {result.exact:.0%}, balanced {result.balanced:.0%}, "
        f"within one class {result.within_one:.0%}"
    )
    styled = result.table.style.background_gradient(cmap="Blues", axis=None)
    return f"<p>{html.escape(title)}</p>" + table_html(styled)


class TuningPanel:
    """Sliders for every tuned setting and the views they redraw.

    Parameters
    ----------
    frame
        The clips (:func:`calibration.tuning.clip_frame`).
    start
        Where the sliders start (the proposal).
    stack
        The stack file's settings, drawn dashed and restored by a button.
    audio
        Embed audio players for the clips nearest each threshold.

    """

    def __init__(
        self, frame: pd.DataFrame, start: Settings, stack: Settings, *, audio: bool = True
    ) -> None:
        self.frame = frame
        self.start = start
        self.stack = stack
        self.audio = audio
        self.renders = 0
        self._muted = False
        self._nearest_key: tuple[str, ...] | None = None
        self.sliders: dict[str, w.FloatSlider] = {}
        for spec in SLIDERS:
            low, high = _span(spec, frame, (start, stack))
            slider = w.FloatSlider(
                value=_values(start)[spec.setting.key], min=low, max=high, step=spec.step,
                description=spec.label, readout_format=spec.readout, continuous_update=False,
                tooltip=f"{spec.setting.key}: {spec.setting.meaning}",
                style={"description_width": "5.5em"}, layout=w.Layout(width="330px"),
            )  # fmt: skip
            slider.observe(self._on_change, names="value")
            self.sliders[spec.setting.key] = slider
        self.to_proposal = w.Button(description="proposal", tooltip="sliders to the proposal")
        self.to_stack = w.Button(description="stack file", tooltip="sliders to the stack's values")
        self.to_proposal.on_click(lambda _: self.set_settings(self.start))
        self.to_stack.on_click(lambda _: self.set_settings(self.stack))
        self.status = w.HTML()
        self.distributions = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.volume_shares = w.HTML()
        self.rate_shares = w.HTML()
        self.gate_plot = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.gate_table = w.HTML()
        self.tradeoff = w.VBox([self.gate_plot, self.gate_table])
        self.confusion = w.HTML()
        self.clips = w.HTML()
        self.nearest = w.VBox()
        self.view: View = self.refresh()

    # --- state ----------------------------------------------------------------------------

    def settings(self) -> Settings:
        """The sliders' values."""
        return _settings({key: slider.value for key, slider in self.sliders.items()})

    def set_settings(self, settings: Settings) -> View:
        """Move every slider to ``settings`` and redraw once."""
        self._muted = True
        try:
            for key, value in _values(settings).items():
                self.sliders[key].value = value
        finally:
            self._muted = False
        return self.refresh()

    def _on_change(self, change: dict[str, Any]) -> None:
        del change
        if not self._muted:
            self.refresh()

    def refresh(self) -> View:
        """Recompute the view for the sliders' values and redraw every output."""
        self.view = view(self.frame, self.settings())
        self.renders += 1
        self._render_status(self.view)
        self._render_distributions(self.view)
        self._render_shares(self.view)
        self._render_tradeoff(self.view)
        self._render_confusion(self.view)
        self._render_nearest(self.view)
        return self.view

    # --- layout ---------------------------------------------------------------------------

    @property
    def controls(self) -> w.Widget:
        """The sliders (three groups), the buttons, the status line and the live figure."""
        columns = []
        for group, title in _GROUP_TITLES.items():
            members = [self.sliders[s.setting.key] for s in SLIDERS if s.group == group]
            columns.append(
                w.VBox([_caption(title), *members], layout=w.Layout(margin="0 28px 0 0"))
            )
        buttons = w.HBox([w.HTML("reset the sliders to the"), self.to_proposal, self.to_stack])
        columns[-1].children = (*columns[-1].children, buttons)
        shares = w.HBox(
            [
                w.VBox([_caption("volume classes, % of clips"), self.volume_shares]),
                w.VBox([_caption("rate classes (acoustic), % of clips"), self.rate_shares]),
            ],
            layout=w.Layout(grid_gap="24px"),
        )
        return w.VBox([w.HBox(columns), self.status, self.distributions, shares, self.clips])

    # --- views ----------------------------------------------------------------------------

    def _render_status(self, current: View) -> None:
        if current.problems:
            self.status.value = warning_html(
                [*current.problems, "the Lambda's config loader refuses this: not writable"],
                title="thresholds out of order",
            )
            return
        classified = current.classified
        self.status.value = (
            f"<p>{len(classified)} clips ({int((classified['kind'] == 'real').sum())} real, "
            f"{int((classified['kind'] == 'synthetic').sum())} synthetic); rate applied to "
            f"{current.tradeoff.loc['rate', 'applied %']:.0f} % at the gate "
            f"{current.settings.min_stability:g}; solid red: the sliders, dashed grey: the "
            "stack file</p>"
        )

    def _render_distributions(self, current: View) -> None:
        figure = plots.distributions(current.classified, current.settings, stack=self.stack)
        self.distributions.value = plots.png(figure)

    def _render_shares(self, current: View) -> None:
        self.volume_shares.value = table_html(current.volume_shares)
        self.rate_shares.value = table_html(current.rate_shares)
        table = current.classified[list(_CLIP_COLUMNS)].round(
            {"level_dbfs": 1, "rate_wpm": 1, "exact_wpm": 1, "rate_confidence": 2}
        )
        self.clips.value = (
            f"<details><summary>every clip under the sliders ({len(table)}: kind real or "
            "synthetic, classes, whether the gate applies them)</summary>"
            f"{table_html(table.set_index('name'))}</details>"
        )

    def _render_tradeoff(self, current: View) -> None:
        self.gate_plot.value = plots.png(plots.gate_figure(current.curve, current.settings))
        self.gate_table.value = table_html(current.tradeoff)

    def _render_confusion(self, current: View) -> None:
        self.confusion.value = "".join(
            _confusion_html(result, dimension)
            for result, dimension in (
                (current.volume_confusion, "volume"),
                (current.rate_confusion, "rate"),
            )
        )

    def _render_nearest(self, current: View) -> None:
        nearest = current.nearest
        key = tuple(f"{r.threshold}:{r.at}:{r.name}" for r in nearest.itertuples())
        if key == self._nearest_key:
            return  # the same clips: keep the players
        self._nearest_key = key
        rows: list[w.Widget] = []
        for (dimension, threshold), group in nearest.groupby(
            ["dimension", "threshold"], sort=False
        ):
            first = group.iloc[0]
            unit = "dBFS" if dimension == "volume" else "WPM"
            cells: list[w.Widget] = [
                w.HTML(f"<b>{html.escape(first['boundary'])}</b><br>at {first['at']:g} {unit}")
            ]
            for side in ("below", "at or above"):
                picked = group[group["side"] == side]
                if picked.empty:
                    text = f"<i>no clip {side}</i>"
                else:
                    clip = picked.iloc[0]
                    gate = "" if clip["applied"] else ", gated"
                    text = (
                        f"{side}: <code>{html.escape(clip['name'])}</code><br>"
                        f"{clip['value']:g} {unit}, {clip['class']}, {clip['kind']}{gate}"
                    )
                    if self.audio:
                        text += f"<div>{audio_html(filename=clip['path'])}</div>"
                cells.append(w.HTML(text, layout=w.Layout(width="360px")))
            del threshold
            rows.append(w.HBox(cells, layout=w.Layout(align_items="center", grid_gap="12px")))
        self.nearest.children = tuple(rows)


# --- labelling -----------------------------------------------------------------------------


class LabelTool(w.VBox):  # type: ignore[misc]
    """Play a clip, click its volume and rate class, save the labels as a manifest.

    The buttons' callbacks act on :attr:`session` (a :class:`LabelSession`); ``tool.next``,
    ``tool.buttons[("volume", "soft")]`` and ``tool.save`` can be clicked from Python.
    """

    def __init__(self, session: LabelSession, *, audio: bool = True) -> None:
        self.session = session
        self.audio = audio
        self.player = w.HTML()
        self.info = w.HTML()
        self.counter = w.HTML()
        self.status = w.HTML()
        self.path = w.Text(
            value=str(session.out), description="save to", layout=w.Layout(width="560px")
        )
        self.overwrite = w.Checkbox(value=False, description="overwrite an existing file")
        self.buttons: dict[tuple[str, str], w.Button] = {}
        rows = []
        for dimension, names in (("volume", VOLUME_NAMES), ("rate", RATE_NAMES)):
            row = []
            for name in names:
                button = w.Button(description=name, layout=w.Layout(width="80px"))
                button.on_click(self._choose(dimension, name))
                self.buttons[(dimension, name)] = button
                row.append(button)
            rows.append(w.HBox([w.HTML(f"{dimension}:", layout=w.Layout(width="60px")), *row]))
        self.previous = w.Button(description="◀ previous")
        self.next = w.Button(description="next ▶")
        self.previous.on_click(lambda _: self._step(-1))
        self.next.on_click(lambda _: self._step(1))
        self.save = w.Button(description="save labels", button_style="primary")
        self.save.on_click(self._save)
        super().__init__(
            [
                w.HBox([self.previous, self.next, self.counter]),
                self.info,
                self.player,
                *rows,
                w.HBox([self.path, self.overwrite]),
                self.save,
                self.status,
            ]
        )
        self.show()

    def show(self) -> None:
        """Show the current clip: its name, transcript, player and chosen classes."""
        session, clip = self.session, self.session.current
        for (dimension, name), button in self.buttons.items():
            chosen = (session.volume if dimension == "volume" else session.rate).get(session.index)
            button.button_style = "info" if chosen == name else ""
        self.info.value = (
            f"<b>{html.escape(clip.name)}</b> ({html.escape(clip.corpus)}"
            f"{', synthetic' if clip.synthetic else ''})"
            + (f"<br><i>{html.escape(clip.transcript)}</i>" if clip.transcript else "")
        )
        self.counter.value = (
            f"clip {session.index + 1} of {len(session.clips)}, {session.labelled} labelled"
        )
        self.player.value = audio_html(filename=str(clip.path)) if self.audio else ""

    def _choose(self, dimension: str, name: str) -> Callable[[w.Button], None]:
        def click(_: w.Button) -> None:
            self.session.label(**{dimension: name})
            self.show()

        return click

    def _step(self, by: int) -> None:
        self.session.move(by)
        self.show()

    def _save(self, _: w.Button) -> None:
        try:
            written = self.session.save(self.path.value, overwrite=self.overwrite.value)
        except CalibrationError as exc:
            self.status.value = warning_html([str(exc)], title="not saved")
        else:
            self.status.value = (
                f"<p>wrote {html.escape(str(written))} ({self.session.labelled} clips)</p>"
            )


# --- listening to the settings -------------------------------------------------------------


def _spoken_html(spoken: Spoken) -> str:
    volume, rate = spoken.volume or {}, spoken.rate or {}
    # The confidence the mode's gate compares: relative mode gates on the relative rate's.
    relative = spoken.mode == "relative"
    gated = rate.get("relative_confidence" if relative else "confidence")
    lines = [
        f"<b>{spoken.mode} mode</b> (status {spoken.status}): volume {volume.get('class')} "
        f"-> <code>{volume.get('applied')}</code>, rate {rate.get('class')} "
        f"({rate.get('wpm')} WPM, relative {rate.get('relative')}, "
        f"{'relative confidence' if relative else 'confidence'} {gated}) "
        f"-> <code>{rate.get('applied')}</code>",
        f"<pre style='white-space:pre-wrap;margin:4px 0'>{html.escape(spoken.ssml or '')}</pre>",
    ]
    if spoken.fallback:
        lines.append("<i>" + html.escape("; ".join(spoken.fallback)) + "</i>")
    if spoken.error:
        lines.append(warning_html([spoken.error], title="synthesis failed"))
    return "".join(lines)


class PreviewTool(w.VBox):  # type: ignore[misc]
    """Pick a speaker's clip, press speak: the App's SSML and audio in both prosody modes.

    Speaks at the panel's current slider values; :attr:`results` holds the last answers.
    """

    def __init__(
        self,
        panel: TuningPanel,
        clips: Sequence[SampleClip],
        stack_file: str | Path,
        *,
        backend: Backend,
        text: str = PREVIEW_TEXT,
        default: str | None = None,
        audio: bool = True,
    ) -> None:
        self.panel = panel
        self.stack_file = stack_file
        self.backend: Backend = backend
        self.audio = audio
        options = [(clip.name, str(clip.path)) for clip in clips]
        self.chooser = w.Dropdown(
            options=options, value=default or options[0][1], description="speaker",
            layout=w.Layout(width="460px"),
        )  # fmt: skip
        self.sentence = w.Text(value=text, description="says", layout=w.Layout(width="560px"))
        self.speak = w.Button(description="speak", button_style="primary")
        self.speak.on_click(lambda _: self.run())
        self.out = w.HTML()
        self.results: list[Spoken] = []
        super().__init__([w.HBox([self.chooser, self.speak]), self.sentence, self.out])
        self.run()

    def run(self) -> list[Spoken]:
        """Speak the sentence after the chosen clip at the sliders' settings; show it."""
        clip = Path(self.chooser.value)
        self.results = speak(
            self.stack_file,
            self.panel.settings(),
            clip,
            text=self.sentence.value,
            backend=self.backend,
        )
        parts = [f"<p>the speaker: <code>{html.escape(clip.name)}</code></p>"]
        if self.audio:
            parts.append(f"<div>{audio_html(filename=str(clip))}</div>")
        for item in self.results:
            parts.append(f"<div style='margin-top:10px'>{_spoken_html(item)}</div>")
            if self.audio and item.audio is not None:
                player = audio_html(data=item.audio, mimetype=item.content_type or "")
                parts.append(f"<div>{player}</div>")
        self.out.value = "".join(parts)
        return self.results
