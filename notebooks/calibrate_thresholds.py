# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Emotion Dynamics (.venv)
#     language: python
#     name: emotion-dynamics
# ---

# %% [markdown]
# # Tune the volume and rate thresholds of a stack
#
# An instrument, not a report: it measures your deployment's own **sample audio** with the
# production detectors (`lambda/emotion_dynamics`), proposes settings, and lets you move every
# threshold and see, hear and preview the consequence before anything is written into
# `Pulumi.<stack>.yaml`.
#
# 1. **Sample audio** (`sample_audio`: folders of WAV/FLAC/OGG/MP3, or manifests that need only
#    a `file` column) is the primary source. Volume thresholds sit at quantiles of its level
#    distribution (`volume_mix`: shares of x-soft, soft, medium, loud), the relative mode's
#    reference level at its median; clips with a transcript (`clip.transcript.txt` beside the
#    audio, or a `transcript` column) fit the acoustic rate estimator's scale, held out by
#    speaker. A subfolder per speaker names the speakers; one named `synthetic` marks TTS.
# 2. **Labelled corpora** (`manifests`, e.g. `datasets/generated/small/manifest.csv` from
#    `make datasets`) are the second source: with labels the thresholds are fitted by balanced
#    agreement, and the confusion matrices show how well any slider setting agrees.
# 3. Nothing is written unless `write_back = True`; the last cell shows the diff either way.
#
# Logic lives in `calibration/` (`tuning`, `plots`, `widgets`, `preview`, `labelling`); this
# notebook only wires it. Headless:
# `papermill notebooks/calibrate_thresholds.ipynb out.ipynb -p sample_audio '["my/clips"]'`.

# %% tags=["parameters"]
stack = "dev"  # Pulumi stack: Pulumi.<stack>.yaml at the repository root
stack_file = None  # explicit stack file path (overrides `stack`; the tests use a temporary copy)
sample_audio = None  # folders / label-free manifest CSVs of YOUR speakers (the primary source)
manifests = None  # labelled manifest CSVs (second source); None with no sample: see below
write_back = False  # write the tuned settings into the stack file (else: show the diff only)
only = None  # "volume" or "rate": write that dimension only
volume_mix = (0.10, 0.15, 0.50, 0.25)  # share of the sample in x-soft, soft, medium, loud
n_jobs = None  # worker processes for the detectors (None: all cores)
volume_rule = "medium"  # label of labelled rows with a blank volume_label: "medium" / "reference"
labels_csv = None  # where the labelling tool saves (None: out/calibration/labels.csv)
preview_backend = None  # "espeak", "polly", or None: Polly when AWS credentials exist
audio_players = True  # embed audio players (False keeps executed copies small)

# %%
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display

from calibration import tuning
from calibration.labelling import LabelSession
from calibration.preview import choose_backend
from calibration.sample import load_sample
from calibration.stackfile import REPO_ROOT, stack_file_path
from calibration.unlabelled import measure_sample
from calibration.widgets import LabelTool, PreviewTool, TuningPanel, warning_html

path = Path(stack_file) if stack_file else stack_file_path(stack)
sources = tuning.resolve_sources(sample_audio, manifests)
display(HTML(warning_html(sources.warnings, title="defaults in use")))

# %% [markdown]
# ## The clips, measured by the production detectors

# %%
sample_clips = load_sample(sources.sample) if sources.sample else []
labelled_clips = tuning.load_labelled(sources.labelled, volume_rule=volume_rule)
sample = measure_sample(sample_clips, n_jobs=n_jobs) if sample_clips else []
labelled = measure_sample(labelled_clips, n_jobs=n_jobs) if labelled_clips else []
frame = pd.concat(
    [tuning.clip_frame(sample, source="sample"), tuning.clip_frame(labelled, source="labelled")],
    ignore_index=True,
)
display(Markdown(f"Stack file: `{path}`; sources: " + ", ".join(
    f"`{p}`" for p in (*sources.sample, *sources.labelled))))  # fmt: skip
display(tuning.corpus_summary(frame))

# %% [markdown]
# ## The proposal
#
# Where the sliders start. The stack's confidence gate (`minStabilityThreshold`) is read from
# the stack file, never fitted.

# %%
stack_settings = tuning.read_settings(path)
proposal = tuning.propose(sample, labelled, stack_settings, mix=volume_mix)
display(Markdown(f"Fitted on **{proposal.basis}**."))
display(HTML(warning_html(proposal.warnings)))
display(tuning.proposal_table(stack_settings, proposal.settings))
if proposal.sample is not None and (scale := tuning.scale_fit_table(proposal.sample)) is not None:
    display(Markdown("Acoustic scale (`rateAcousticScale`): WPM error against the transcripts"))
    display(scale)
if (summary := proposal.labelled_summary()) is not None:
    display(Markdown("Labelled fit: agreement before / after (cv: 5-fold cross-validated)"))
    display(summary)

# %% [markdown]
# ## Tune
#
# Move a slider: the level and rate distributions, the class shares and every view below
# redraw. Solid red lines are the sliders' values, dashed grey the stack file's; blue clips are
# real speech, orange synthetic; hatched rate bars are clips whose confidence is below the gate
# (the Lambda keeps their rate neutral). Rate thresholds act on the acoustic estimate (what the
# Lambda measures when the event carries no transcript); the exact rates from transcripts are
# the second row of markers. Below the shares, every clip with its classes (click to open).

# %%
panel = TuningPanel(frame, proposal.settings, stack_settings, audio=audio_players)
display(panel.controls)

# %% [markdown]
# ## The confidence gate's trade-off
#
# The share of clips whose measurement the Lambda would apply at each gate value, and how often
# the class it applies is right (rate: against the label, else the exact rate's class; volume:
# against the label). The table gives both at the slider's gate, applied vs gated.

# %%
display(panel.tradeoff)

# %% [markdown]
# ## Confusion (when labels or exact rates exist)

# %%
display(panel.confusion)

# %% [markdown]
# ## Listen: the clips nearest each threshold
#
# For every threshold, the clip just below it and the one at or above it (they follow the
# sliders).

# %%
display(panel.nearest)

# %% [markdown]
# ## Preview: a sentence spoken at the tuned settings
#
# The speaker's clip goes through the real `App` (as a Lambda event, the duration limit lifted
# to the clip's length) in both prosody modes: `classes` (Polly keywords by the thresholds) and
# `relative` (a rate percentage and a dB offset from the reference level). Press **speak**
# after moving the sliders.

# %%
backend, why = choose_backend(preview_backend)
display(Markdown(f"Backend: **{why}**"))
clips = sample_clips or labelled_clips
PreviewTool(
    panel, clips, path, backend=backend, default=tuning.preview_clip(panel.view.classified),
    audio=audio_players,
)  # fmt: skip

# %% [markdown]
# ## Label clips by ear (optional)
#
# Play a clip, click its volume and rate class, save. The file is a manifest: give it back as
# `sample_audio=[...]` to see the confusion matrices of your own labels. An existing file is
# never replaced unless "overwrite" is ticked.

# %%
labels_path = Path(labels_csv) if labels_csv else REPO_ROOT / "out" / "calibration" / "labels.csv"
LabelTool(LabelSession(clips, labels_path), audio=audio_players)

# %% [markdown]
# ## Write back
#
# The sliders' values (the proposal unless you moved them), written only with `write_back`.
# To write what the sliders show now, change this cell's first line to `write = True` and run
# this cell alone: rerunning the notebook would reset the sliders.

# %%
write = write_back
tuned = panel.settings()
display(tuning.setting_changes(path, tuned, only=only).set_index("key"))
message, diff = tuning.write_settings(path, tuned, only=only, write=write)
print(message)
print(diff or "(no diff)")
