"""Process cold start: a fresh interpreter importing the handler and serving one event.

Each measurement is one new process; wall time runs from ``Popen`` to the process's exit and
peak RSS is the child's own ``ru_maxrss`` (``os.wait4``), so no wrapper or psutil is needed.

Environments (each measured ``repeats`` times in this run, median reported):

Rows compared with a baseline are measured interleaved (one process of each in turn).

- **Lambda-like**: the runtime's Python (python3.12), ``PYTHONPATH`` = the extracted
  function zip (``/var/task``), the extracted layer (``/opt/python``) and a copy of the
  venv's boto3/botocore compiled by that Python (the runtime's own boto3). No bytecode is
  written (``PYTHONDONTWRITEBYTECODE=1``), as on Lambda's read-only ``/var/task`` and
  ``/opt``: the function code is imported from source on every cold start, the layer from
  the bytecode it ships (a variant without it shows the cost of a layer without ``.pyc``).
- **seed**: the same Python with the seed's layer (librosa + numpy + soundfile, installed by
  :mod:`benchmarks.sizes`, no bytecode), importing boto3 + librosa, creating a Polly client
  and running ``feature.rms`` + ``onset_strength`` + ``onset_detect`` on the segment, with a
  fresh empty ``NUMBA_CACHE_DIR`` per process (a new Lambda container's ``/tmp``), and again
  with a warm numba cache.

The page cache is warm (the files were read by earlier runs), as it typically is not on a
new Lambda host: these are lower bounds of Lambda's init time. The run is as root, which
ignores file modes, so "read-only" is emulated by writing no bytecode and giving numba its
own cache directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Final

import numpy as np

from benchmarks.common import (
    CACHE_DIR,
    REPO_ROOT,
    NotMeasured,
    Segment,
    summary,
    wav_bytes,
)

RUNTIME_PACKAGES: Final = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "dateutil",
    "urllib3",
    "six.py",
)
MARK: Final = "BENCH-RESULT "

HANDLER_SCRIPT: Final = """
import time
t0 = time.perf_counter()
import json, sys
import handler
t1 = time.perf_counter()
class Ctx:
    aws_request_id = "00000000-0000-0000-0000-000000000000"
    def get_remaining_time_in_millis(self):
        return 10000
event = json.load(open(sys.argv[1]))
response = handler.lambda_handler(event, Ctx())
t2 = time.perf_counter()
import numpy
print("@MARK@" + json.dumps({"status": response["statusCode"], "numpy": numpy.__file__,
      "rate": (response.get("rate") or {}).get("wpm"),
      "import_ms": (t1 - t0) * 1000, "invoke_ms": (t2 - t1) * 1000}))
""".replace("@MARK@", MARK)

SEED_SCRIPT: Final = """
import json, sys
import boto3
import numpy as np
import librosa
client = boto3.client("polly")
y = np.load(sys.argv[1])
sr = 16000
rms = librosa.feature.rms(y=y)
envelope = librosa.onset.onset_strength(y=y, sr=sr)
onsets = librosa.onset.onset_detect(onset_envelope=envelope, sr=sr)
print("@MARK@" + json.dumps({"status": 200, "numpy": np.__file__, "onsets": int(len(onsets)),
      "librosa": librosa.__version__}))
""".replace("@MARK@", MARK)


def _base_env() -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": tempfile.gettempdir(),
        "LANG": "C.UTF-8",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
    }


LAUNCHER: Final = """
import json, os, sys, time
result, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
wall_ms = (time.perf_counter() - start) * 1000
with open(result, "w") as handle:
    json.dump({"wall_ms": wall_ms, "maxrss_kib": usage.ru_maxrss,
               "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000,
               "code": os.waitstatus_to_exitcode(status)}, handle)
"""


def run_once(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One process: wall ms, peak RSS MiB and the result line it printed.

    A tiny launcher (``python -I -S``, about 10 MiB) spawns the child and reads its rusage:
    a child spawned straight from this process would report this process's RSS (hundreds of
    MiB once librosa is loaded) as its peak, because Linux carries the peak over ``exec``.
    """
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        launcher, result = Path(tmp) / "launch.py", Path(tmp) / "result.json"
        launcher.write_text(LAUNCHER, encoding="utf-8")
        out_path, err_path = Path(tmp) / "stdout", Path(tmp) / "stderr"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            subprocess.run([sys.executable, "-I", "-S", str(launcher), str(result), *argv], env=env,
                           stdout=out, stderr=err, cwd=tmp, check=False)  # fmt: skip
        stdout = out_path.read_text(errors="replace")
        stderr = err_path.read_text(errors="replace")
        timing = json.loads(result.read_text()) if result.is_file() else {"code": -1}
    if timing["code"] != 0:
        last = [line for line in stderr.splitlines() if line.strip()][-1:] or ["no output"]
        raise RuntimeError(f"{Path(argv[0]).name} exited {timing['code']}: {last[0][:300]}")
    parsed: dict[str, Any] = {}
    for line in stdout.splitlines():
        if line.startswith(MARK):
            parsed = json.loads(line[len(MARK) :])
    return {
        "wall_ms": timing["wall_ms"],
        "cpu_ms": timing["cpu_ms"],
        "rss_mib": timing["maxrss_kib"] / 1024,
        "result": parsed,
    }


def measure(
    argv: list[str], env: dict[str, str], repeats: int, *, fresh_numba: bool = False
) -> dict[str, Any]:
    """``repeats`` processes of one command."""
    result: dict[str, Any] = measure_interleaved(
        {"one": (argv, env)}, repeats, fresh_numba=fresh_numba
    )["one"]
    return result


def measure_interleaved(
    jobs: dict[str, tuple[list[str], dict[str, str]]],
    repeats: int,
    *,
    fresh_numba: bool = False,
) -> dict[str, Any]:
    """``repeats`` rounds, each running every job once in turn (so a burst of other load on
    the machine hits a baseline and the rows compared with it alike). A job that fails is
    dropped and reported as the exception."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in jobs}
    failed: dict[str, Exception] = {}
    for _ in range(repeats):
        for name, (argv, env) in jobs.items():
            if name in failed:
                continue
            try:
                if fresh_numba:
                    with tempfile.TemporaryDirectory(prefix="numba-cold-") as cache:
                        runs[name].append(run_once(argv, {**env, "NUMBA_CACHE_DIR": cache}))
                else:
                    runs[name].append(run_once(argv, env))
            except Exception as exc:
                failed[name] = exc
    out: dict[str, Any] = {}
    for name, one in runs.items():
        if name in failed:
            out[name] = failed[name]
            continue
        row = {key: summary([r[key] for r in one]) for key in ("wall_ms", "cpu_ms", "rss_mib")}
        row["result"] = one[-1]["result"]
        for key in ("import_ms", "invoke_ms"):
            if all(key in r["result"] for r in one):
                row[key] = summary([r["result"][key] for r in one])
        out[name] = row
    return out


def _extract(zip_path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(dest)
    return dest


def _runtime_dir(python: str, work: Path) -> Path:
    """boto3 and its dependencies from the venv, compiled by ``python`` (the runtime's boto3)."""
    import boto3

    site = Path(boto3.__file__).resolve().parents[1]
    dest = work / "runtime"
    dest.mkdir()
    for name in RUNTIME_PACKAGES:
        src = site / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", str(dest)], check=True, capture_output=True
    )
    return dest


def _strip_bytecode(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def _write_inputs(segment: Segment, work: Path) -> tuple[Path, Path]:
    import base64

    event = {
        "audio_base64": base64.b64encode(wav_bytes(segment.samples, segment.sample_rate)).decode(),
        "text": "Thank you for calling. Your order has shipped.",
        "options": {"synthesize": False},
    }
    event_path = work / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    npy = work / "segment.npy"
    np.save(npy, segment.samples.astype(np.float32))
    return event_path, npy


def run(
    segment: Segment,
    artifacts: dict[str, Any],
    notes: NotMeasured,
    *,
    repeats: int,
    seed_repeats: int,
) -> dict[str, Any]:
    """Measure every environment; ``artifacts`` comes from :func:`benchmarks.sizes.build`."""
    rows: dict[str, Any] = {}
    python = artifacts.get("runtime_python")
    with tempfile.TemporaryDirectory(prefix="bench-cold-", dir=_ensure(CACHE_DIR)) as tmp:
        work = Path(tmp)
        event_path, npy = _write_inputs(segment, work)
        script = work / "invoke.py"
        script.write_text(HANDLER_SCRIPT, encoding="utf-8")
        seed_script = work / "seed.py"
        seed_script.write_text(SEED_SCRIPT, encoding="utf-8")

        # Dev environment: the venv's Python on the source tree (always available).
        dev_env = _base_env()  # the editable install puts lambda/ on the venv's path
        venv = [sys.executable, "-s"]
        measured = measure_interleaved(
            {
                "dev venv: import numpy, boto3 (baseline)": (
                    [*venv, "-c", "import numpy, boto3"],
                    dev_env,
                ),
                "dev venv: handler import + 1 invocation": (
                    [*venv, str(script), str(event_path)],
                    dev_env,
                ),
            },
            repeats,
        )
        rows.update(_rows(measured, notes, {"dev venv: handler import + 1 invocation": None}))

        if not python:
            why = artifacts.get("runtime_python_why", "no python3.12 interpreter")
            for name in ("Lambda-like", "seed"):
                rows[f"{name} rows"] = notes.add(f"cold start ({name})", why)
            return {"rows": rows, "repeats": repeats, "seed_repeats": seed_repeats}
        runtime = _runtime_dir(python, work)
        py = [python, "-s"]
        function_zip, layer_zip = artifacts.get("function_zip"), artifacts.get("layer_zip")
        if function_zip and layer_zip:
            function_dir = _extract(Path(function_zip), work / "var-task")
            opt = _extract(Path(layer_zip), work / "opt")
            layer_python = opt / "python"
            has_pyc = any(layer_python.rglob("*.pyc"))
            bare = _strip_bytecode(layer_python, work / "opt-nopyc" / "python")
            lambda_env = {
                **_base_env(),
                "PYTHONPATH": os.pathsep.join(map(str, (function_dir, layer_python, runtime))),
            }
            bare_env = {
                **_base_env(),
                "PYTHONPATH": os.pathsep.join(map(str, (function_dir, bare, runtime))),
            }
            label = "layer with .pyc" if has_pyc else "layer without .pyc (none shipped)"
            handler_row = f"Lambda-like: handler import + 1 invocation ({label})"
            bare_row = "Lambda-like: handler import + 1 invocation (layer stripped of .pyc)"
            measured = measure_interleaved(
                {
                    "Lambda-like: import numpy, boto3 (baseline)": (
                        [*py, "-c", "import numpy, boto3"],
                        lambda_env,
                    ),
                    handler_row: ([*py, str(script), str(event_path)], lambda_env),
                    bare_row: ([*py, str(script), str(event_path)], bare_env),
                },
                repeats,
            )
            rows.update(_rows(measured, notes, {handler_row: layer_python, bare_row: bare}))
        else:
            rows["Lambda-like rows"] = notes.add(
                "cold start (Lambda-like)", artifacts.get("why", "artifacts not built")
            )

        seed_dir = artifacts.get("seed_layer_dir")
        if seed_dir:
            seed_env = {**_base_env(), "PYTHONPATH": os.pathsep.join((str(seed_dir), str(runtime)))}
            argv = [*py, str(seed_script), str(npy)]
            rows["seed: librosa, fresh NUMBA_CACHE_DIR (new container)"] = _safe(
                notes, "cold: seed fresh numba cache",
                lambda: measure(argv, seed_env, seed_repeats, fresh_numba=True),
            )  # fmt: skip
            warm_cache = work / "numba-warm"
            warm_cache.mkdir()
            warm_env = {**seed_env, "NUMBA_CACHE_DIR": str(warm_cache)}

            def warm() -> dict[str, Any]:
                run_once(argv, warm_env)  # fills the cache; not counted
                return measure(argv, warm_env, repeats)

            rows["seed: librosa, numba cache already warm"] = _safe(
                notes, "cold: seed warm numba cache", warm
            )
        else:
            rows["seed rows"] = notes.add(
                "cold start (seed)", artifacts.get("seed_why", "seed layer not installed")
            )
    return {"rows": rows, "repeats": repeats, "seed_repeats": seed_repeats, "python": python}


def _rows(
    measured: dict[str, Any], notes: NotMeasured, checks: dict[str, Path | None]
) -> dict[str, Any]:
    """Turn failures into "not measured" and check the handler rows' invocations."""
    out: dict[str, Any] = {}
    for name, row in measured.items():
        try:
            if isinstance(row, Exception):
                raise row
            out[name] = _checked(row, checks[name]) if name in checks else row
        except Exception as exc:
            out[name] = notes.add(f"cold: {name}", f"{type(exc).__name__}: {str(exc)[-300:]}")
    return out


def _checked(row: dict[str, Any], layer: Path | None) -> dict[str, Any]:
    """The invocation must have succeeded, with numpy imported from the layer under test."""
    result = row["result"]
    if result.get("status") != 200:
        raise RuntimeError(f"the invocation returned {result.get('status')}, expected 200")
    if layer is not None and not str(result.get("numpy", "")).startswith(str(layer)):
        raise RuntimeError(
            f"numpy was imported from {result.get('numpy')}, not from the layer {layer}"
        )
    return row


def _safe(notes: NotMeasured, what: str, fn: Any) -> Any:
    try:
        return fn()
    except Exception as exc:
        return notes.add(what, f"{type(exc).__name__}: {str(exc)[-300:]}")


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


__all__ = ["REPO_ROOT", "measure", "run", "run_once"]
