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
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Calibrate the volume and rate thresholds of a stack
#
# Extracts the **production detectors'** features (imported from `lambda/emotion_dynamics`)
# from labelled corpora, fits the thresholds by maximising balanced agreement (mean
# per-class recall) of predicted and labelled classes under the order constraints, shows
# what changes, and with `write_back = True` writes the proposed thresholds into
# `Pulumi.<stack>.yaml` (comments and every other key kept) and prints the diff.
#
# All logic lives in the `calibration` package; this notebook only wires and plots.
# Labels: see `datasets/README.md` (rate labels are the class of the *reference* WPM under
# the product's bands, so fitting the rate thresholds corrects the estimator's bias).
# Headless: `papermill notebooks/calibrate_thresholds.ipynb out.ipynb -p stack dev`.

# %% tags=["parameters"]
stack = "dev"  # Pulumi stack: Pulumi.<stack>.yaml at the repository root
manifests = None  # list of manifest CSV paths; None: generated small corpus + ../shared/speech-dev
write_back = False  # write the proposed thresholds into the stack file
stack_file = None  # explicit stack file path (overrides `stack`; the tests use a temporary copy)
n_jobs = None  # worker processes for feature extraction (None: all cores)
rate_feature = "wpm"  # "wpm" (acoustic estimator, no transcript) or "wpm_transcript"
volume_rule = "medium"  # label of rows with a blank volume_label: "medium" or "reference"
min_class_size = 3  # classes with fewer labelled clips do not steer the fit
only = None  # "volume" or "rate": write back that dimension only, keep the other's thresholds

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from calibration.cli import default_manifests, format_report, load_clips
from calibration.features import extract_features
from calibration.fit import RATE_CLASSES, VOLUME_CLASSES, rate_cuts, volume_cuts
from calibration.pipeline import calibrate, summary_rows
from calibration.rate_model import clip_tradeoff
from calibration.stackfile import (
    read_min_stability,
    read_thresholds,
    stack_file_path,
    threshold_values,
    write_thresholds,
)

# %% [markdown]
# ## Corpora and features

# %%
chosen = [Path(m) for m in manifests] if manifests else default_manifests()
path = Path(stack_file) if stack_file else stack_file_path(stack)
current_volume, current_rate = read_thresholds(path)
clips = load_clips(chosen, volume_rule=volume_rule)
features = extract_features(clips, n_jobs=n_jobs)
print(f"{len(clips)} clips from {len(chosen)} manifests; stack file {path}")
for manifest in chosen:
    print("  ", manifest)

# %% [markdown]
# ## Fit

# %%
result = calibrate(
    features, current_volume, current_rate, rate_feature=rate_feature, min_class_size=min_class_size
)
print(format_report(result))

# %% [markdown]
# ## Agreement before and after (exact = share of clips in their labelled class;
# balanced = mean per-class recall)

# %%
rows = summary_rows(result)
header = list(rows[0])
widths = [max(len(h), *(len(str(r[h])) for r in rows)) for h in header]
print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
for r in rows:
    print("  ".join(str(r[h]).rjust(w) for h, w in zip(header, widths, strict=True)))

# %% [markdown]
# The Lambda leaves a dimension neutral when its confidence is below the stack's
# `minStabilityThreshold`. For the acoustic rate the confidence is the fitted probability that
# its class is right (`docs/design/rate-confidence.md`): the share of clips applied at the
# stack's threshold, and how often their rate class is right, applied vs gated.

# %%
min_stability = read_min_stability(path)
low = np.mean(np.array([f.volume_confidence for f in features]) < min_stability)
print(f"volume: {low:.0%} of clips below confidence {min_stability:g}")
t = clip_tradeoff(features, min_stability)
print(
    f"acoustic rate at {min_stability:g}: {t.share_applied:.0%} of {t.n} clips applied; class right "
    f"for {t.accuracy_applied:.0%} of them vs {t.accuracy_gated:.0%} of the gated ones"
)

# %% [markdown]
# ## Per-class distributions with current (dashed) and proposed (solid) thresholds

# %%
levels = np.array([f.level_dbfs for f in features])
rates = np.array([getattr(f, rate_feature) for f in features])
fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
panels = (
    (axes[0], levels, [f.volume_label for f in features], VOLUME_CLASSES,
     volume_cuts(current_volume), volume_cuts(result.proposed_volume), "active-speech level (dBFS)"),
    (axes[1], rates, [f.rate_label for f in features], RATE_CLASSES,
     rate_cuts(current_rate), rate_cuts(result.proposed_rate), f"estimated rate ({rate_feature}, WPM)"),
)  # fmt: skip
for ax, values, labels, classes, old, new, xlabel in panels:
    for row, cls in enumerate(classes):
        picked = values[[label == cls.value for label in labels]]
        picked = picked[np.isfinite(picked)]
        jitter = np.random.default_rng(row).uniform(-0.25, 0.25, picked.size)
        ax.scatter(picked, row + jitter, s=12, alpha=0.6)
        if picked.size:
            ax.boxplot(picked, positions=[row], vert=False, widths=0.6, showfliers=False)
    for cut in old:
        ax.axvline(cut, color="grey", linestyle="--", linewidth=1)
    for cut in new:
        ax.axvline(cut, color="crimson", linewidth=1.5)
    ax.set_yticks(range(len(classes)), [c.value for c in classes])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("labelled class")
fig.suptitle("grey dashed: current thresholds; red: proposed")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Confusion matrices (rows: labelled class, columns: predicted class)

# %%
fig, axes = plt.subplots(2, 2, figsize=(11, 9))
for col, report in enumerate((result.volume, result.rate)):
    for row, (title, agreement) in enumerate(
        (("current", report.before), ("proposed", report.after))
    ):
        ax = axes[row, col]
        ax.imshow(agreement.confusion, cmap="Blues")
        for (i, j), count in np.ndenumerate(agreement.confusion):
            ax.text(j, i, str(count), ha="center", va="center")
        ax.set_xticks(range(len(agreement.classes)), agreement.classes)
        ax.set_yticks(range(len(agreement.classes)), agreement.classes)
        ax.set_title(
            f"{report.name}, {title}: exact {agreement.exact:.0%}, balanced {agreement.balanced:.0%}"
        )
        ax.set_xlabel("predicted")
        ax.set_ylabel("label")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Proposed stack values and write-back

# %%
new_volume = current_volume if only == "rate" else result.proposed_volume
new_rate = current_rate if only == "volume" else result.proposed_rate
for key, value in threshold_values(new_volume, new_rate).items():
    print(f"{key}: {value!r}")
diff = write_thresholds(path, new_volume, new_rate, dry_run=not write_back)
print(("written to " if write_back else "dry run (write_back=False), would change ") + str(path))
print(diff or "no change")
