"""Function zip and layer sizes against Lambda's limits, and the seed's librosa layer.

The project's archives come from ``emotion_dynamics_build`` (the same deterministic zips the
Pulumi program deploys; python3.12 x86_64). The seed's layer is what its requirements
would install for the same runtime::

    pip install --platform manylinux_2_28_x86_64 ... --only-binary=:all: --python-version 3.12 \
        --target DIR librosa numpy soundfile

installed once under ``build/bench-cache/`` and zipped deterministically to measure it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any, Final

from benchmarks.common import CACHE_DIR, NotMeasured

RUNTIME: Final = "python3.12"
ARCHITECTURE: Final = "x86_64"
SEED_PACKAGES: Final = ("librosa", "numpy", "soundfile")
SEED_DIR: Final = CACHE_DIR / "seed-layer-py312"
UNZIPPED_LIMIT: Final = 250 * 1024 * 1024
ZIPPED_LIMIT: Final = 50 * 1024 * 1024
LAYER_TARGET_UNZIPPED: Final = 60 * 1000 * 1000  # the Lambda-runtime issue's target: 60 MB
_DROPPED: Final = frozenset({"tests", "__pycache__"})


def tree_bytes(root: Path, *, without_tests: bool = False) -> int:
    """Bytes of every file below ``root`` (optionally without ``tests`` and ``__pycache__``)."""
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        if without_tests:
            dirnames[:] = [d for d in dirnames if d not in _DROPPED]
        total += sum((Path(dirpath) / name).stat().st_size for name in filenames)
    return total


def deterministic_zip(root: Path, out: Path) -> Path:
    """Zip ``root``'s parent-relative tree (``python/...``) with sorted entries and fixed times."""
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                path = Path(dirpath) / name
                info = zipfile.ZipInfo(
                    path.relative_to(root.parent).as_posix(), (1980, 1, 1, 0, 0, 0)
                )
                info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
    os.replace(tmp, out)
    return out


def _seed_layer(python: str | None) -> Path:
    target = SEED_DIR / "python"
    if (SEED_DIR / "COMPLETE").is_file():
        if not (SEED_DIR / "COMPILED").is_file() and python is not None:
            _compile(target, python)
        return target
    if python is None:
        raise RuntimeError("no python3.12 with pip to install the seed's layer for python3.12")
    tmp = CACHE_DIR / "seed-layer-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    command = [python, "-m", "pip", "install", "--platform", "manylinux_2_28_x86_64",
               "--platform", "manylinux_2_17_x86_64", "--platform", "manylinux2014_x86_64",
               "--implementation", "cp", "--abi", "cp312", "--abi", "abi3", "--abi", "none",
               "--only-binary=:all:", "--python-version", "3.12", "--no-compile",
               "--disable-pip-version-check", "--quiet", "--target", str(tmp / "python"),
               *SEED_PACKAGES]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, text=True)
    shutil.rmtree(tmp / "python" / "bin", ignore_errors=True)
    shutil.rmtree(SEED_DIR, ignore_errors=True)
    os.replace(tmp, SEED_DIR)
    (SEED_DIR / "COMPLETE").write_text(" ".join(command) + "\n", encoding="utf-8")
    _compile(target, python)
    return target


def _compile(target: Path, python: str) -> None:
    """Bytecode by the runtime's Python, as ``pip install`` leaves it by default (and as the
    project's layer ships it), so both cold starts import from ``.pyc``."""
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(target)],
        check=False, capture_output=True,
    )  # fmt: skip
    (target.parent / "COMPILED").write_text(python + "\n", encoding="utf-8")
    zipped = CACHE_DIR / "seed-layer-py312.zip"
    zipped.unlink(missing_ok=True)


def _versions(site: Path, names: tuple[str, ...]) -> str:
    found = []
    for name in names:
        metas = sorted(site.glob(f"{name}-*.dist-info"))
        if metas:
            found.append(metas[0].name.removesuffix(".dist-info").replace("-", " "))
    return ", ".join(found)


def build(notes: NotMeasured) -> dict[str, Any]:
    """Build (or reuse) every archive; return their paths and sizes for the report."""
    out: dict[str, Any] = {}
    try:
        from emotion_dynamics_build import archives as project_artifacts
    except ImportError as exc:
        why = f"emotion_dynamics_build not importable ({exc})"
        out["why"] = notes.add("function zip and layer sizes", why)
        project_artifacts = None  # type: ignore[assignment]
    python = None
    if project_artifacts is not None:
        python = project_artifacts._local_interpreter(3, 12)
        try:
            function_zip = project_artifacts.function_archive(runtime=RUNTIME)
            layer_zip = project_artifacts.layer_archive(runtime=RUNTIME, architecture=ARCHITECTURE)
            out["function_zip"], out["layer_zip"] = str(function_zip), str(layer_zip)
            out["function"] = project_artifacts.archive_sizes(function_zip)
            out["layer"] = project_artifacts.archive_sizes(layer_zip)
            with zipfile.ZipFile(layer_zip) as zf:
                names = zf.namelist()
            out["layer_pyc"] = any(n.endswith(".pyc") for n in names)
            out["layer_packages"] = sorted(
                {
                    n.split("/")[1].removesuffix(".dist-info")
                    for n in names
                    if n.count("/") == 2 and ".dist-info/" in n
                }
            )
        except Exception as exc:
            out["why"] = notes.add(
                "function zip and layer", f"{type(exc).__name__}: {str(exc)[-300:]}"
            )
    if python is None:
        out["runtime_python_why"] = notes.add("python3.12 rows", "no local python3.12 interpreter")
    out["runtime_python"] = python
    try:
        seed = _seed_layer(python)
        out["seed_layer_dir"] = str(seed)
        zipped = CACHE_DIR / "seed-layer-py312.zip"
        if not zipped.is_file():
            deterministic_zip(seed, zipped)
        out["seed"] = {
            "unzipped": tree_bytes(seed),
            "unzipped_without_tests": tree_bytes(seed, without_tests=True),
            "zipped": zipped.stat().st_size,
            "packages": _versions(
                seed,
                ("librosa", "numpy", "scipy", "numba", "llvmlite", "scikit_learn", "soundfile"),
            ),
        }
    except Exception as exc:
        out["seed_why"] = notes.add("seed layer", f"{type(exc).__name__}: {str(exc)[-300:]}")
    return out
