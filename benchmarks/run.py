"""Run the benchmark suite and write the report: ``make bench`` (or this file with ``--out``).

    .venv/bin/python -m benchmarks.run --out docs/benchmarks.md [--quick]

Speed (warm latency, process cold start), size (function zip, layer) and accuracy (speaking
rate and level on real and generated speech) of the project, each beside what a user would
pick instead, measured in the same run: a numpy floor, the seed's librosa approach, the de
Jong & Wempe (2009) syllable-nuclei method on praat-parselmouth and librosa onset counting.
Fixed seeds, repeated timings, medians; anything that cannot be measured is listed as
"not measured" with the reason instead of a number. Benchmarks are not tests: nothing here
fails on a time.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import fidelity
from benchmarks.common import REPO_ROOT, NotMeasured, fmt_mb, fmt_ms

LATENCY_TARGET_MS = 5.0
SEED_BUDGET_MS = 150.0
COLD_TARGET_RATIO = 1.5
RSS_TARGET_MIB = 100.0
FULL = {
    "latency_repeats": 200,
    "latency_warmup": 20,
    "cold_repeats": 31,
    "seed_cold_repeats": 5,
    "throughput_repeats": 3,
}
QUICK = {
    "latency_repeats": 30,
    "latency_warmup": 5,
    "cold_repeats": 2,
    "seed_cold_repeats": 1,
    "throughput_repeats": 1,
}


#: What this suite cannot measure on a build machine, whatever the run.
BY_DESIGN = (
    ("cold start on AWS Lambda itself", "no AWS account or Lambda emulator here; Lambda-like processes on this "
     "machine stand in (same runtime Python, extracted zip + layer, no bytecode writes, warm page cache)"),
    ("Polly synthesis latency", "needs AWS (network); the orchestrator and cold-start rows run with "
     "options.synthesize=false"),
    ("arm64 artifacts and timings", "x86_64 machine; sizes and timings are for python3.12 x86_64 only"),
)  # fmt: skip


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _section(name: str, fn: Callable[[], Any], notes: NotMeasured) -> Any:
    _log(f"{name} ...")
    start = time.perf_counter()
    try:
        result = fn()
    except Exception as exc:
        result = {"why": notes.add(name, f"{type(exc).__name__}: {str(exc)[-400:]}")}
    _log(f"{name} done in {time.perf_counter() - start:.1f} s")
    return result


def _ratio(value: float) -> str:
    if value >= 10:
        return f"{value:.0f}x"
    return f"{value:.1f}x" if value >= 1 else f"{value:.2f}x"


def _pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:.0f} %"


def _num(value: float, digits: int = 1) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


# --- report sections ------------------------------------------------------------------------


def machine_md(machine: dict[str, Any]) -> list[str]:
    lines = ["## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in machine.items()]
    return [*lines, ""]


def latency_md(latency: dict[str, Any]) -> list[str]:
    lines = ["## Warm latency per 3 s 16 kHz segment", ""]
    if "rows" not in latency:
        return [*lines, latency.get("why", "not measured"), ""]
    rows = latency["rows"]
    lines += [
        f"Segment: {latency['segment']}. One process, {latency['warmup']} warm-up calls, then "
        f"{latency['repeats']} timed calls per stage (`time.perf_counter_ns`; CPU time from "
        "`time.process_time_ns`, which other load on the machine moves less).",
        "",
        "| stage | median ms | p95 ms | CPU median ms | x numpy floor (median) | seed's librosa path / this (median) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    floor = rows.get("numpy floor (framed RMS + envelope peak pick)")
    seed = rows.get("seed: librosa RMS + onset detection")
    for name, row in rows.items():
        if isinstance(row, str):
            lines.append(f"| {name} | {row} | | | | |")
            continue
        x_floor = _ratio(row["median"] / floor["median"]) if isinstance(floor, dict) else "n/a"
        x_seed = _ratio(seed["median"] / row["median"]) if isinstance(seed, dict) else "n/a"
        lines.append(
            f"| {name} | {fmt_ms(row['median'])} | {fmt_ms(row['p95'])} | {fmt_ms(row['cpu_median'])} "
            f"| {x_floor} | {x_seed} |"
        )
    combo = rows.get("detectors + SSML")
    if isinstance(combo, dict):
        verdict = "met" if combo["median"] <= LATENCY_TARGET_MS else "NOT met"
        lines += ["", f"Detectors + SSML: median {fmt_ms(combo['median'])} ms, p95 {fmt_ms(combo['p95'])} ms "
                  f"(target <= {LATENCY_TARGET_MS:g} ms median: {verdict}; the seed budgets "
                  f"{SEED_BUDGET_MS:g} ms)."]  # fmt: skip
    return [*lines, ""]


def cold_md(cold: dict[str, Any]) -> list[str]:
    lines = ["## Process cold start (handler import + one invocation)", ""]
    if "rows" not in cold:
        return [*lines, cold.get("why", "not measured"), ""]
    from benchmarks import coldstart

    lines += [
        f"Fresh processes, {cold['repeats']} per row ({cold['seed_repeats']} for the seed with a fresh "
        f"numba cache); wall time from `Popen` to exit, peak RSS from `wait4`. Interpreter for "
        f"the Lambda-like and seed rows: `{cold.get('python')}`. The invocation is a 3 s 16 kHz WAV "
        "event with `options.synthesize=false` (no AWS call; fake credentials).",
        "",
        "| environment | wall median ms | wall p95 ms | wall min ms | CPU (user+sys) median ms "
        "| peak RSS median MiB | x baseline (wall median) | x baseline (CPU median) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = cold["rows"]
    baselines = {
        "dev": rows.get("dev venv: import numpy, boto3 (baseline)"),
        "Lambda": rows.get("Lambda-like: import numpy, boto3 (baseline)"),
    }
    for name, row in rows.items():
        if isinstance(row, str):
            lines.append(f"| {name} | {row} | | | | | | |")
            continue
        base = baselines["dev"] if name.startswith("dev") else baselines["Lambda"]
        ratio = cpu_ratio = "n/a"
        if isinstance(base, dict):
            ratio = f"{row['wall_ms']['median'] / base['wall_ms']['median']:.2f}x"
            cpu_ratio = f"{row['cpu_ms']['median'] / base['cpu_ms']['median']:.2f}x"
        lines.append(
            f"| {name} | {fmt_ms(row['wall_ms']['median'])} | {fmt_ms(row['wall_ms']['p95'])} | "
            f"{fmt_ms(row['wall_ms']['min'])} | {fmt_ms(row['cpu_ms']['median'])} | "
            f"{row['rss_mib']['median']:.0f} | {ratio} | {cpu_ratio} |"
        )
    split = [
        f"- {name}: `import handler` {fmt_ms(row['import_ms']['median'])} ms, first invocation "
        f"{fmt_ms(row['invoke_ms']['median'])} ms"
        for name, row in rows.items()
        if isinstance(row, dict) and "import_ms" in row
    ]
    if split:
        lines += ["", "In-process split of the handler rows (medians; the rest of the wall time is the "
                  "interpreter's start-up and exit):", "", *split]  # fmt: skip
    lines += [
        "",
        "The seed's layer for python3.12 resolves to the librosa listed under sizes below; FACTS.md's "
        "figures (about 17 s with a fresh numba cache) were taken with librosa 0.11 on Python 3.11.",
    ]
    lines += ["", (coldstart.__doc__ or "").split("\n\n")[-1].strip().replace("\n", " "), ""]
    return lines


def sizes_md(sizes: dict[str, Any]) -> list[str]:
    from benchmarks.sizes import LAYER_TARGET_UNZIPPED, UNZIPPED_LIMIT, ZIPPED_LIMIT

    lines = [
        "## Function zip and layer sizes (python3.12, x86_64)",
        "",
        f"Lambda's limits: {fmt_mb(UNZIPPED_LIMIT)} unzipped for the function and all its layers, "
        f"{fmt_mb(ZIPPED_LIMIT)} zipped for a direct upload (MiB = 2^20 bytes).",
        "",
        "| artifact | zipped | unzipped | within limits |",
        "|---|---:|---:|---|",
    ]
    fn, layer = sizes.get("function"), sizes.get("layer")
    if fn is not None and layer is not None:
        for name, s in (
            ("function zip (`lambda/`)", fn),
            ("layer (`python/`: " + ", ".join(sizes.get("layer_packages", [])) + ")", layer),
        ):
            ok = s.zipped <= ZIPPED_LIMIT and s.unzipped <= UNZIPPED_LIMIT
            lines.append(
                f"| {name} | {fmt_mb(s.zipped)} | {fmt_mb(s.unzipped)} | {'yes' if ok else 'NO'} |"
            )
        total = fn.unzipped + layer.unzipped
        lines.append(f"| function + layer | {fmt_mb(fn.zipped + layer.zipped)} | {fmt_mb(total)} | "
                     f"{'yes' if total <= UNZIPPED_LIMIT else 'NO'} ({100 * total / UNZIPPED_LIMIT:.0f} % of 250 MiB) |")  # fmt: skip
    else:
        lines.append(f"| function zip and layer | {sizes.get('why', 'not measured')} | | |")
    seed = sizes.get("seed")
    if seed is not None:
        ok = seed["zipped"] <= ZIPPED_LIMIT and seed["unzipped"] <= UNZIPPED_LIMIT
        lines.append(f"| seed's layer ({seed['packages']}) | {fmt_mb(seed['zipped'])} | {fmt_mb(seed['unzipped'])} "
                     f"({fmt_mb(seed['unzipped_without_tests'])} without tests/caches) | {'yes' if ok else 'NO'} |")  # fmt: skip
    else:
        lines.append(f"| seed's layer | {sizes.get('seed_why', 'not measured')} | | |")
    if layer is not None:
        verdict = "met" if layer.unzipped <= LAYER_TARGET_UNZIPPED else "NOT met"
        lines += ["", f"Layer unzipped: {fmt_mb(layer.unzipped)} = {layer.unzipped / 1e6:.1f} MB (10^6 bytes), against "
                  f"the Lambda-runtime issue's target of {LAYER_TARGET_UNZIPPED / 1e6:.0f} MB (read as 10^6 bytes): {verdict}. Layer ships bytecode: "
                  f"{'yes' if sizes.get('layer_pyc') else 'no'}."]  # fmt: skip
    return [*lines, ""]


def rate_md(name: str, corpus: dict[str, Any], thresholds: dict[str, Any]) -> list[str]:
    rate = corpus["rate"]
    low, mid, high = rate["ref_wpm"]
    t = thresholds["rate"]
    cuts = f"{t.very_slow_wpm:g}/{t.slow_wpm:g}/{t.medium_wpm:g}/{t.fast_wpm:g}"
    lines = [
        f"### Speaking rate on {corpus['label']}",
        "",
        f"{rate['n']} clips, reference {low:.0f} / {mid:.0f} / {high:.0f} WPM (min / median / max). "
        f"Classes at the current thresholds ({thresholds['source']}: {cuts} WPM) against the "
        "reference class (target bands 100/130/160/190 WPM).",
        "",
    ]
    extra = not rate["same_cuts"]
    header = "| estimator | clips with an estimate | MAE WPM | bias WPM | Pearson r | exact class | within one class |"
    sep = "|---|---:|---:|---:|---:|---:|---:|"
    if extra:
        header += " exact / within one at the target bands |"
        sep += "---:|"
    lines += [header + " ms per clip |", sep + "---:|"]
    for est, row in rate["rows"].items():
        if isinstance(row, str):
            lines.append(f"| {est} | {row} |" + " |" * (6 + extra))
            continue
        line = (f"| {est} | {row['covered']:.0f}/{row['n']:.0f} | {_num(row['mae'])} | {_num(row['bias'])} | "
                f"{_num(row['r'], 2)} | {_pct(row['exact'])} | {_pct(row['within_one'])} |")  # fmt: skip
        if extra:
            line += f" {_pct(row['exact_target'])} / {_pct(row['within_one_target'])} |"
        lines.append(line + f" {fmt_ms(row['ms_per_clip'])} |")
    return [*lines, ""]


def level_md(corpus: dict[str, Any]) -> list[str]:
    level = corpus["level"]
    lines = [
        f"### Level on {corpus['label']}",
        "",
        "| estimator | +1 s silence: max / mean abs. change dB | +6 dB gain: max / mean abs. error dB | "
        "error vs manifest `rms_dbfs`: MAE / bias dB |",
        "|---|---:|---:|---:|",
    ]
    for est, row in level["rows"].items():
        if isinstance(row, str):
            lines.append(f"| {est} | {row} | | |")
            continue
        lines.append(f"| {est} | {row['silence_max']:.2f} / {row['silence_mean']:.2f} | "
                     f"{row['gain_max']:.3f} / {row['gain_mean']:.3f} | {row['mae']:.2f} / {row['bias']:+.2f} |")  # fmt: skip
    return [*lines, ""]


def accuracy_md(acc: dict[str, Any]) -> list[str]:
    lines = ["## Accuracy", ""]
    if "corpora" not in acc:
        return [*lines, acc.get("why", "not measured"), ""]
    from benchmarks import accuracy

    lines += [(accuracy.__doc__ or "").strip().replace("\n\n", "\n\n").replace("``", "`"), ""]
    for name, corpus in acc["corpora"].items():
        if isinstance(corpus, str):
            lines += [f"### {name}", "", corpus, ""]
            continue
        lines += rate_md(name, corpus, acc["thresholds"])
    for corpus in acc["corpora"].values():
        if isinstance(corpus, dict):
            lines += level_md(corpus)
    return lines


def throughput_md(tp: dict[str, Any]) -> list[str]:
    lines = ["## Calibration throughput", ""]
    if "rows" not in tp:
        return [*lines, tp.get("why", "not measured"), ""]
    lines += [
        f"`calibration.features.extract_features` over {tp['clips']} clips ({tp['audio_s']:.0f} s of audio: "
        f"speech-dev + the generated corpus, the list repeated {tp['passes']} times), decoding and pool "
        "start-up included, median of the runs.",
        "",
        "| workers | runs | seconds | clips per second | audio seconds per second |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in tp["rows"].items():
        if isinstance(row, str):
            lines.append(f"| {name} | {row} | | | |")
        else:
            lines.append(
                f"| {name} | {row['runs']} | {row['seconds']:.2f} | {row['clips_per_s']:.1f} | {row['audio_x_realtime']:.0f} |"
            )
    return [*lines, ""]


def closing_md(results: dict[str, Any]) -> list[str]:
    lines = ["## Closing note", ""]
    latency = results["latency"].get("rows", {})
    combo, seed = (
        latency.get("detectors + SSML"),
        latency.get("seed: librosa RMS + onset detection"),
    )
    if isinstance(combo, dict):
        ratio = (
            f"; the seed's librosa path takes {fmt_ms(seed['median'])} ms ({seed['median'] / combo['median']:.0f}x)"
            if isinstance(seed, dict)
            else ""
        )
        lines.append(f"- Warm detectors + SSML per 3 s 16 kHz segment: median {fmt_ms(combo['median'])} ms, p95 "
                     f"{fmt_ms(combo['p95'])} ms (target <= 5 ms; seed budget 150 ms){ratio}.")  # fmt: skip
    else:
        lines.append("- Warm detectors + SSML: not measured (see above).")
    cold = results["cold"].get("rows", {})
    base = cold.get("Lambda-like: import numpy, boto3 (baseline)")
    handler = next(
        (v for k, v in cold.items() if k.startswith("Lambda-like: handler") and "(layer with" in k),
        None,
    )
    handler = handler or next(
        (v for k, v in cold.items() if k.startswith("Lambda-like: handler")), None
    )
    if isinstance(base, dict) and isinstance(handler, dict):
        ratio = handler["wall_ms"]["median"] / base["wall_ms"]["median"]
        rss = handler["rss_mib"]["median"]
        lines.append(
            f"- Cold start (python3.12, extracted zip + layer, handler import + one invocation): "
            f"{fmt_ms(handler['wall_ms']['median'])} ms median, {ratio:.2f}x `import numpy, boto3` "
            f"({fmt_ms(base['wall_ms']['median'])} ms) in the same run (target <= {COLD_TARGET_RATIO}x: "
            f"{'met' if ratio <= COLD_TARGET_RATIO else 'NOT met'}); peak RSS {rss:.0f} MiB (target <= "
            f"{RSS_TARGET_MIB:.0f} MiB: {'met' if rss <= RSS_TARGET_MIB else 'NOT met'}). In CPU time "
            f"(user+sys, less sensitive to other load): {fmt_ms(handler['cpu_ms']['median'])} ms, "
            f"{handler['cpu_ms']['median'] / base['cpu_ms']['median']:.2f}x the baseline's "
            f"{fmt_ms(base['cpu_ms']['median'])} ms."
        )
    else:
        lines.append("- Lambda-like cold start: not measured (see above).")
    seed_cold = cold.get("seed: librosa, fresh NUMBA_CACHE_DIR (new container)")
    if isinstance(seed_cold, dict):
        lines.append(f"- The seed's librosa approach on a new container: {seed_cold['wall_ms']['median'] / 1000:.1f} s "
                     f"median, peak RSS {seed_cold['rss_mib']['median']:.0f} MiB.")  # fmt: skip
    sizes = results["sizes"]
    if sizes.get("layer") is not None and sizes.get("function") is not None:
        layer, fn = sizes["layer"], sizes["function"]
        lines.append(f"- Function zip {fmt_mb(fn.zipped)} zipped; layer {fmt_mb(layer.zipped)} zipped, "
                     f"{fmt_mb(layer.unzipped)} = {layer.unzipped / 1e6:.1f} MB unzipped (target <= 60 MB: "
                     f"{'met' if layer.unzipped <= 60e6 else 'NOT met'}; Lambda limit 250 MB).")  # fmt: skip
    if sizes.get("seed") is not None:
        s = sizes["seed"]
        lines.append(
            f"- The seed's librosa layer: {fmt_mb(s['unzipped'])} unzipped, {fmt_mb(s['zipped'])} zipped."
        )
    corpus = results["accuracy"].get("corpora", {}).get("speech-dev")
    if isinstance(corpus, dict):
        rows = corpus["rate"]["rows"]
        ours, peer = (
            rows.get("emotion_dynamics acoustic"),
            rows.get("de Jong & Wempe 2009 (parselmouth)"),
        )
        if isinstance(ours, dict) and isinstance(peer, dict):
            beats = ours["mae"] < peer["mae"] and ours["r"] > peer["r"]
            lines += [
                "- Speaking rate on speech-dev, same run:",
                f"  - emotion_dynamics acoustic: MAE {ours['mae']:.1f} WPM, Pearson r {ours['r']:.2f}, "
                f"exact {_pct(ours['exact'])}, within one class {_pct(ours['within_one'])}",
                f"  - de Jong & Wempe 2009 (parselmouth): MAE {peer['mae']:.1f} WPM, Pearson r {peer['r']:.2f}, "
                f"exact {_pct(peer['exact'])}, within one class {_pct(peer['within_one'])}",
                f"  - The project's acoustic estimate {'beats' if beats else 'does NOT beat'} the "
                "syllable-nuclei peer on both MAE and r.",
            ]
            scaled = next(
                (
                    v
                    for k, v in rows.items()
                    if k.startswith("de Jong & Wempe 2009 (parselmouth) x")
                ),
                None,
            )
            if isinstance(scaled, dict):
                fair = ours["mae"] < scaled["mae"]
                lines.append(
                    f"  - Like for like (the peer scaled by its own least-squares factor on speech-dev, as "
                    f"`CALIBRATION_SCALE` scales ours): MAE {scaled['mae']:.1f} WPM, so the project's MAE "
                    f"is {'still lower' if fair else 'NOT lower'}; r is unchanged by a scale."
                )
        else:
            lines.append(
                "- Speaking rate on speech-dev, project vs de Jong: not measured (see above)."
            )
    return [*lines, ""]


def report(results: dict[str, Any], notes: NotMeasured, command: str, quick: bool) -> str:
    from benchmarks import degradation

    head = [
        "# Benchmarks",
        "",
        f"Made by `{command}` on {results['machine']['date']} from commit {results['machine']['commit']}."
        + (" **Quick run** (fewer repetitions and clips): not for quoting." if quick else ""),
        "Regenerate with `make bench` (`--quick` for a smoke run). Timings are medians of repeated "
        "runs; nothing here is a test. The first run installs the seed's layer into "
        "`build/bench-cache/` (about 150 MB of wheels) and generates the corpus into "
        "`build/bench-corpus/`; later runs reuse both.",
        "",
    ]
    body = (
        machine_md(results["machine"])
        + latency_md(results["latency"])
        + cold_md(results["cold"])
        + sizes_md(results["sizes"])
        + accuracy_md(results["accuracy"])
        + degradation.degradation_md(results["degradation"])
        + throughput_md(results["throughput"])
        + fidelity.markdown(results["fidelity"])
        + closing_md(results)
    )
    tail = ["## Not measured", ""]
    tail += [f"- {what}: {why}" for what, why in notes.items] or [
        "- everything listed above was measured."
    ]
    return "\n".join(head + body + tail) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, help="write the Markdown report here (also printed)")
    parser.add_argument(
        "--quick", action="store_true", help="few repetitions and clips: a smoke run"
    )
    parser.add_argument("--skip", action="append", default=[], choices=["latency", "cold", "accuracy", "degradation", "throughput", "fidelity"],
                        help="leave a section out (reported as not measured)")  # fmt: skip
    args = parser.parse_args(argv)
    from benchmarks import accuracy, coldstart, degradation, latency, machine, sizes, throughput
    from benchmarks.common import test_segment

    plan = QUICK if args.quick else FULL
    notes = NotMeasured()
    for what, why in BY_DESIGN:
        notes.add(what, why)
    results: dict[str, Any] = {"machine": machine.describe()}
    segment = test_segment()
    results["sizes"] = _section("sizes", lambda: sizes.build(notes), notes)

    def skipped(name: str) -> dict[str, Any]:
        return {"why": notes.add(name, "skipped with --skip")}

    results["latency"] = skipped("latency") if "latency" in args.skip else _section(
        "latency", lambda: latency.run(segment, notes, repeats=plan["latency_repeats"], warmup=plan["latency_warmup"]), notes
    )  # fmt: skip
    results["cold"] = skipped("cold start") if "cold" in args.skip else _section(
        "cold start", lambda: coldstart.run(segment, results["sizes"], notes, repeats=plan["cold_repeats"],
                                            seed_repeats=plan["seed_cold_repeats"]), notes
    )  # fmt: skip
    results["accuracy"] = skipped("accuracy") if "accuracy" in args.skip else _section(
        "accuracy", lambda: accuracy.run(notes, quick=args.quick), notes
    )  # fmt: skip
    results["degradation"] = skipped("degradation") if "degradation" in args.skip else _section(
        "degradation", lambda: degradation.run(notes, quick=args.quick), notes
    )  # fmt: skip
    generated = accuracy.generated_manifest(notes) if "throughput" not in args.skip else None
    results["throughput"] = skipped("throughput") if "throughput" in args.skip else _section(
        "throughput", lambda: throughput.run(generated, notes, repeats=plan["throughput_repeats"]), notes
    )  # fmt: skip
    results["fidelity"] = skipped("fidelity") if "fidelity" in args.skip else _section(
        "fidelity", lambda: fidelity.run(notes, quick=args.quick), notes
    )  # fmt: skip
    results["machine"]["load average at end (1/5/15 min)"] = machine.load_average()
    command = ".venv/bin/python -m benchmarks.run" + (f" --out {args.out}" if args.out else "") + (
        " --quick" if args.quick else "") + "".join(f" --skip {s}" for s in args.skip)  # fmt: skip
    text = report(results, notes, command, args.quick)
    print(text)
    if args.out:
        out = args.out if args.out.is_absolute() else Path.cwd() / args.out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        _log(f"wrote {out.relative_to(REPO_ROOT) if out.is_relative_to(REPO_ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
