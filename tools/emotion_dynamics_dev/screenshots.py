"""Screenshots of the tuning notebook in JupyterLab, with speech-dev as unlabelled sample audio.

    .venv/bin/python -m emotion_dynamics_dev.screenshots --out docs/screenshots

Runs the notebook in JupyterLab under headless chromium (:mod:`.lab_browser`) on a temporary
copy of ``Pulumi.<stack>.yaml`` (nothing in the repository is written but the PNGs and their
``README.md``), takes a window screenshot of each section, moves two sliders and takes one
more, and records the settings the notebook proposed (checked against its own output).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from calibration import tuning
from calibration.sample import load_sample
from calibration.stackfile import stack_file_path
from calibration.unlabelled import measure_sample
from emotion_dynamics_dev.lab_browser import NotebookPage, chromium, missing_browser, running_lab

__all__ = ["SHOTS", "main"]

ROOT: Final = Path(__file__).resolve().parents[2]
NOTEBOOK: Final = ROOT / "notebooks" / "calibrate_thresholds.ipynb"
#: (file, code cell it shows (source prefix), what it shows); "end": the cell's end at the bottom.
SHOTS: Final = (
    ("calibration-tune.png", "panel = TuningPanel", "start", "the sliders and the live level and rate distributions"),
    ("calibration-shares-gate.png", "display(panel.tradeoff)", "end", "class shares per corpus and the confidence gate's trade-off"),
    ("calibration-confusion-listen.png", "display(panel.confusion)", "start", "acoustic vs exact rate classes and the clips nearest each threshold, with players"),
    ("calibration-preview-label.png", "backend, why = choose_backend", "start", "a sentence spoken through the App at the tuned settings, and the labelling tool"),
    ("calibration-write-back.png", "write = write_back", "end", "the keys that would change and the diff"),
)  # fmt: skip
MOVED: Final = (
    "calibration-moved.png",
    "after moving the medium threshold to -21.5 dBFS and the acoustic scale to 1.0",
)


def _proposal(sample: Path, stack_file: Path) -> tuple[tuning.Settings, tuning.Settings]:
    features = measure_sample(load_sample([sample]), n_jobs=2)
    stack = tuning.read_settings(stack_file)
    return stack, tuning.propose(features, [], stack).settings


def _check_shown(
    page: NotebookPage, cells: list[dict[str, Any]], proposed: tuning.Settings
) -> None:
    """The notebook's proposal table (its text) shows the settings computed here."""
    index = page.cell_index("stack_settings = tuning.read_settings")
    text = "".join(
        "".join(output.get("data", {}).get("text/plain", ""))
        for cell in cells
        if cell["index"] == index
        for output in cell["outputs"]
    )
    lines = {line.split()[0]: line.split() for line in text.splitlines() if line.strip()}
    for key, value in tuning.stack_values(proposed).items():
        if lines.get(key, [])[2:3] != [value]:
            raise SystemExit(f"error: the notebook proposed {lines.get(key)}, not {key} = {value}")


def _readme(sample: Path, stack: tuning.Settings, proposed: tuning.Settings) -> str:
    table = tuning.proposal_table(stack, proposed)
    lines = [
        "# Screenshots of the tuning notebook",
        "",
        "`notebooks/calibrate_thresholds` in JupyterLab, run on "
        f"`{sample.parent.name}/{sample.name}` (speech-dev's 38 clips of read speech, 7 talkers) "
        "as unlabelled sample audio; regenerate with `make screenshots`.",
        "",
    ]
    lines += [f"- `{name}`: {what}" for name, _, _, what in SHOTS]
    lines += [f"- `{MOVED[0]}`: {MOVED[1]}", "", "![tune](calibration-tune.png)", ""]
    lines += [
        "## What the notebook proposes from speech-dev",
        "",
        "| key | Pulumi.dev.yaml | proposed |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| `{key}` | {row.stack} | {row.proposed}{' (changes)' if row.changes else ''} |"
        for key, row in table.iterrows()
    ]
    lines += [
        "",
        "Volume thresholds at the quantiles of the default mix (10/15/50/25 %), the reference at "
        "the median level; the rate thresholds stay (no labels); the acoustic scale is refitted "
        "on the transcripts (held out by speaker); the gate is the stack's.",
        "",
    ]
    return "\n".join(lines)


def take(out: Path, *, sample: Path, stack: str = "dev") -> list[Path]:
    """Run the notebook in JupyterLab on ``sample`` and write the screenshots into ``out``."""
    import papermill as pm

    missing = missing_browser()
    if missing:
        raise SystemExit(f"error: install {' '.join(missing)} (Debian) for the screenshots")
    written = []
    with tempfile.TemporaryDirectory(prefix="screenshots-") as folder:
        work = Path(folder)
        stack_file = work / f"Pulumi.{stack}.yaml"
        shutil.copyfile(stack_file_path(stack), stack_file)
        root = work / "root"
        root.mkdir()
        pm.execute_notebook(
            str(NOTEBOOK), str(root / NOTEBOOK.name), prepare_only=True, progress_bar=False,
            parameters={"sample_audio": [str(sample)], "stack_file": str(stack_file),
                        "preview_backend": "espeak", "n_jobs": 2},
        )  # fmt: skip
        current, proposed = _proposal(sample, stack_file)
        with (
            running_lab(root, work / "state") as lab,
            chromium(work / "profile", height=1400) as driver,
        ):
            page = NotebookPage(driver, lab, NOTEBOOK.name)
            page.open()
            page.hide_sidebars()
            cells = page.run_all()
            errors = page.errors()
            if errors:
                raise SystemExit("error: the notebook failed in JupyterLab:\n" + "\n".join(errors))
            _check_shown(page, cells, proposed)
            for name, prefix, where, _ in SHOTS:
                page.scroll_to_cell(page.cell_index(prefix), output=True, end=where == "end")
                written.append(page.screenshot(out / name))
            before = page.image_sources()
            page.set_slider("medium ≥", -21.5)
            page.wait(lambda: page.image_sources()[0] != before[0], timeout_s=30, what="redraw")
            moved = page.image_sources()
            page.set_slider("scale", 1.0)
            page.wait(lambda: page.image_sources()[0] != moved[0], timeout_s=30, what="redraw")
            page.scroll_to_cell(page.cell_index("panel = TuningPanel"), output=True)
            written.append(page.screenshot(out / MOVED[0]))
    (out / "README.md").write_text(_readme(sample, current, proposed), encoding="utf-8")
    for row in tuning.proposal_table(current, proposed).itertuples():
        print(f"{row.Index}: {row.stack} -> {row.proposed}")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Take the screenshots; print the files and the proposed settings."""
    parser = argparse.ArgumentParser(prog="python -m emotion_dynamics_dev.screenshots")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--sample", default=str(tuning.DEFAULT_SAMPLE), help="sample audio")
    parser.add_argument("--stack", default="dev")
    args = parser.parse_args(argv)
    sample = Path(args.sample)
    if not sample.exists():
        print(f"error: no sample audio at {sample}", file=sys.stderr)
        return 2
    for path in take(Path(args.out), sample=sample, stack=args.stack):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
