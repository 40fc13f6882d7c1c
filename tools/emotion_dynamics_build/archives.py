"""Deterministic Lambda archives: the function code zip and the dependency layer zip.

Both are reproducible (sorted entries, timestamps fixed at 1980-01-01, fixed modes, no
caches), so the same inputs give the same bytes and ``pulumi up`` shows no spurious diff.
They are cached under ``build/`` by a hash of their inputs; :func:`current_archives` finds
the up-to-date ones for the Pulumi program. How the layer is built and stripped, and why:
``docs/design/packaging.md``.
"""

from __future__ import annotations

import argparse
import functools
import glob
import hashlib
import json
import os
import platform
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "DIRECT_UPLOAD_LIMIT_BYTES",
    "FUNCTION_MEMBERS",
    "UNZIPPED_LIMIT_BYTES",
    "ArchiveSizes",
    "LayerBuildError",
    "archive_sizes",
    "build_function_zip",
    "build_layer",
    "build_local_layer",
    "current_archives",
    "function_archive",
    "layer_archive",
    "layer_requirements",
    "main",
    "platform_tags",
]

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
LAMBDA_ROOT: Final = REPO_ROOT / "lambda"
BUILD_DIR: Final = REPO_ROOT / "build"
#: Bump when the build recipe changes, so cached archives are rebuilt.
RECIPE_VERSION: Final = "7"
#: What the function zip holds: the handler and the runtime package, nothing else.
FUNCTION_MEMBERS: Final = ("handler.py", "emotion_dynamics/")

UNZIPPED_LIMIT_BYTES: Final = 250 * 1024 * 1024  # function + all layers, unzipped
DIRECT_UPLOAD_LIMIT_BYTES: Final = 50 * 1024 * 1024  # zipped, direct upload (no S3)
ZIP_DATE: Final = (1980, 1, 1, 0, 0, 0)
MACHINES: Final = {"x86_64": "x86_64", "arm64": "aarch64"}
#: glibc of each runtime's OS: python3.11 -> Amazon Linux 2, newer -> Amazon Linux 2023.
AL2_GLIBC: Final = (2, 26)
AL2023_GLIBC: Final = (2, 34)
#: manylinux_2_28 is the newest tag the wheels we need use; AL2023 loads it and older.
AL2023_MAX_TAG: Final = (2, 28)
#: Pins for glibc < 2.28 (Amazon Linux 2): the newest releases within pyproject's ranges that
#: still ship manylinux2014 wheels, soundfile's with libsndfile bundled (x86_64 only).
OLD_GLIBC_PINS: Final = {"numpy": "2.2.6", "soundfile": "0.12.1"}
_EXCLUDED_DIRS: Final = frozenset(
    {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", "tests"}
)
_EXCLUDED_SUFFIXES: Final = (".pyc", ".pyo")


class LayerBuildError(RuntimeError):
    """The layer cannot be built for the requested runtime and architecture."""


@dataclass(frozen=True, slots=True)
class ArchiveSizes:
    """Sizes of one zip archive, bytes."""

    zipped: int
    unzipped: int


# --- deterministic zips --------------------------------------------------------------------


def _iter_files(root: Path, *, source_tree: bool) -> Iterator[Path]:
    """Every file below ``root`` in sorted order, without bytecode caches.

    For a source tree (the function code) tests, tool caches and hidden files are left out
    too; an installed layer keeps them (numpy needs its ``tests`` packages).
    """
    excluded = _EXCLUDED_DIRS if source_tree else frozenset({"__pycache__"})
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in excluded
            and not (source_tree and (d.startswith(".") or d.endswith(".egg-info")))
        )
        for name in sorted(filenames):
            if name.endswith(_EXCLUDED_SUFFIXES) or (source_tree and name.startswith(".")):
                continue
            yield Path(dirpath) / name


def _write_zip(files: Iterable[tuple[str, Path]], out_path: Path) -> Path:
    """Write ``(arcname, path)`` pairs to ``out_path`` reproducibly (atomic rename)."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=out_path.name, suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp_name, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for arcname, path in sorted(files):
                info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
                executable = os.stat(path).st_mode & stat.S_IXUSR
                info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, whatever the build machine
                zf.writestr(info, path.read_bytes(), compresslevel=6)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, out_path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return out_path


def archive_sizes(path: Path) -> ArchiveSizes:
    """Zipped and unzipped size of an archive."""
    with zipfile.ZipFile(path) as zf:
        unzipped = sum(info.file_size for info in zf.infolist())
    return ArchiveSizes(zipped=path.stat().st_size, unzipped=unzipped)


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.hexdigest()


# --- the function zip -----------------------------------------------------------------------


def _function_files(code_root: Path) -> list[tuple[str, Path]]:
    """The handler and the runtime package (:data:`FUNCTION_MEMBERS`), nothing else."""
    files = [
        (path.relative_to(code_root).as_posix(), path)
        for path in _iter_files(code_root, source_tree=True)
    ]
    return [(arc, path) for arc, path in files if arc.startswith(FUNCTION_MEMBERS)]


def build_function_zip(
    out_path: Path | str, *, code_root: Path = LAMBDA_ROOT, runtime: str | None = None
) -> Path:
    """Zip the Lambda's code root (``handler.py`` + ``emotion_dynamics/``) reproducibly.

    With ``runtime`` (e.g. ``python3.12``) and a local interpreter of that version, the zip
    also carries bytecode compiled by it for ``/var/task`` (unchecked-hash ``.pyc``):
    ``/var/task`` is read-only, so without it every cold start compiles the package again
    (about 30 ms of CPU). Without such an interpreter the zip holds the sources only.
    """
    files = _function_files(code_root)
    interpreter = _local_interpreter(*_runtime_version(runtime)) if runtime else None
    if interpreter is None:
        return _write_zip(files, Path(out_path))
    with tempfile.TemporaryDirectory(prefix="function-build-") as tmp:
        target = Path(tmp)
        for arcname, path in files:
            (target / arcname).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / arcname)
        _compile(target, interpreter, prefix="/var/task")
        compiled = [
            (path.relative_to(target).as_posix(), path)
            for path in sorted(target.rglob("__pycache__/*.pyc"))
        ]
        return _write_zip(files + compiled, Path(out_path))


def _function_path(runtime: str | None, cache_dir: Path, code_root: Path) -> Path:
    """Where the function zip of these inputs is cached (its name is a hash of them).

    The inputs are every file's path and bytes, and with ``runtime`` the version of the local
    interpreter that compiles the bytecode (see :func:`build_function_zip`).
    """
    files = _function_files(code_root)
    interpreter = _local_interpreter(*_runtime_version(runtime)) if runtime else None
    bytecode = _interpreter_version(interpreter) if interpreter else "none"
    key = _digest(
        [RECIPE_VERSION.encode(), bytecode.encode()]
        + [p for a, f in files for p in (a.encode(), f.read_bytes())]
    )
    return cache_dir / f"function-{key[:16]}.zip"


def function_archive(
    *, runtime: str | None = None, cache_dir: Path = BUILD_DIR, code_root: Path = LAMBDA_ROOT
) -> Path:
    """The function zip, cached under ``cache_dir`` by a hash of its inputs (built if missing)."""
    out = _function_path(runtime, cache_dir, code_root)
    return out if out.exists() else build_function_zip(out, code_root=code_root, runtime=runtime)


# --- the layer --------------------------------------------------------------------------------


def _runtime_version(runtime: str) -> tuple[int, int]:
    try:
        major, minor = runtime.removeprefix("python").split(".")
        return int(major), int(minor)
    except ValueError:
        raise LayerBuildError(f"unknown runtime {runtime!r}; expected e.g. python3.12") from None


def _runtime_glibc(runtime: str) -> tuple[int, int]:
    return AL2_GLIBC if _runtime_version(runtime) < (3, 12) else AL2023_GLIBC


def platform_tags(architecture: str, glibc: tuple[int, int]) -> list[str]:
    """Manylinux tags a system with ``glibc`` loads, newest first (capped at 2.28)."""
    if architecture not in MACHINES:
        raise LayerBuildError(f"unknown architecture {architecture!r}; expected x86_64 or arm64")
    machine = MACHINES[architecture]
    newest = min(glibc, AL2023_MAX_TAG)[1]
    if newest < 17:
        raise LayerBuildError(f"glibc {glibc} is older than manylinux2014 (2.17)")
    tags = [f"manylinux_2_{minor}_{machine}" for minor in range(newest, 16, -1)]
    return [*tags, f"manylinux2014_{machine}"]


def _uv() -> str:
    local = Path(sys.executable).parent / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    if not found:
        raise LayerBuildError("uv is needed to read the pinned versions from uv.lock")
    return found


def layer_requirements(
    runtime: str, architecture: str, *, glibc: tuple[int, int] | None = None
) -> list[str]:
    """Pinned ``name==version`` lines of the runtime dependencies for one target.

    The versions are those of ``uv.lock`` (``uv export --no-dev``, project dependencies only),
    with environment markers evaluated for the target Python version and machine. For glibc
    older than 2.28 (python3.11 / Amazon Linux 2), :data:`OLD_GLIBC_PINS` replace the locked
    numpy and soundfile versions.
    """
    from packaging.markers import Marker

    major, minor = _runtime_version(runtime)
    glibc = glibc or _runtime_glibc(runtime)
    exported = subprocess.run(
        [_uv(), "export", "--frozen", "--no-dev", "--no-default-groups", "--no-emit-project",
         "--no-hashes", "--no-header", "--no-annotate", "--format", "requirements.txt"],
        cwd=REPO_ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    environment = {
        "python_version": f"{major}.{minor}",
        "python_full_version": f"{major}.{minor}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": MACHINES.get(architecture, architecture),
    }
    pins: dict[str, str] = {}
    for raw_line in exported.splitlines():
        line = raw_line.strip()
        if not line or line.startswith(("#", "-")):
            continue
        requirement, _, marker = line.partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate(environment):
            continue
        name, _, version = requirement.strip().partition("==")
        pins[name.strip().lower()] = version.strip()
    if glibc < AL2023_MAX_TAG:
        pins.update(OLD_GLIBC_PINS)
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


@functools.cache
def _local_interpreter(major: int, minor: int) -> str | None:
    """A local CPython of the runtime's version (for bytecode), or None."""
    candidates = [shutil.which(f"python{major}.{minor}")]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates += sorted(
        glob.glob(str(pyenv / f"{major}.{minor}.*" / "bin" / f"python{major}.{minor}"))
    )
    if sys.version_info[:2] == (major, minor):
        candidates.append(sys.executable)
    for candidate in candidates:
        if not candidate:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if probe.returncode == 0 and probe.stdout.strip() == f"{major}.{minor}":
            return candidate
    return None


@functools.cache
def _pip_command(major: int, minor: int) -> list[str]:
    """``python -m pip`` from an interpreter that has pip, else ``uv pip`` (same flags)."""
    for candidate in (_local_interpreter(major, minor), sys.executable, shutil.which("python3")):
        if (
            candidate
            and subprocess.run(
                [candidate, "-m", "pip", "--version"], capture_output=True, check=False
            ).returncode
            == 0
        ):
            return [candidate, "-m", "pip"]
    return [_uv(), "pip"]


def _install(
    target: Path,
    requirements: list[str],
    *,
    major: int,
    minor: int,
    architecture: str,
    glibc: tuple[int, int],
) -> None:
    req_file = target.parent / "requirements.txt"
    req_file.write_text("\n".join(requirements) + "\n", encoding="utf-8")
    tags = platform_tags(architecture, glibc)
    pip = _pip_command(major, minor)
    if pip[1:] == ["pip"]:  # uv pip: one platform tag; it also accepts every older tag
        newest = min(glibc, AL2023_MAX_TAG)[1]
        command = [*pip, "install", "--no-deps", "--only-binary", ":all:",
                   "--python-version", f"{major}.{minor}",
                   "--python-platform", f"{MACHINES[architecture]}-manylinux_2_{newest}",
                   "--target", str(target), "--no-compile", "-r", str(req_file)]  # fmt: skip
    else:
        command = [*pip, "install", "--no-deps", "--only-binary=:all:", "--implementation", "cp",
                   "--python-version", f"{major}.{minor}", "--abi", f"cp{major}{minor}",
                   "--abi", "abi3", "--abi", "none", "--target", str(target), "--no-compile",
                   "--disable-pip-version-check", "--no-input", "--quiet", "-r", str(req_file)]  # fmt: skip
        for tag in tags:
            command += ["--platform", tag]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise LayerBuildError(
            f"installing {', '.join(requirements)} for {tags[0]} failed:\n{result.stderr[-4000:]}"
        )


#: Files under a ``tests`` folder that runtime code imports (numpy.testing imports _natype).
_KEPT_TEST_FILES: Final = frozenset(
    {"numpy/_core/tests/__init__.py", "numpy/_core/tests/_natype.py"}
)
#: Never imported by the function: numpy's Fortran wrapper generator and type stubs.
_DROPPED_DIRS: Final = ("numpy/f2py",)


def _strip(target: Path) -> None:
    """Drop caches, console scripts, test suites, stubs and f2py (about 20 MB unzipped).

    ``tests`` folders go, except the files in :data:`_KEPT_TEST_FILES`: deleting every
    ``tests`` folder would break ``import numpy.testing``. The packaging and
    artifact tests import numpy, numpy.testing, soundfile and Powertools from the result.
    """
    for tests_dir in sorted(target.rglob("tests"), reverse=True):
        if not tests_dir.is_dir():
            continue
        for path in sorted(tests_dir.rglob("*"), reverse=True):
            rel = path.relative_to(target).as_posix()
            if path.is_file() and rel not in _KEPT_TEST_FILES:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        if not any(tests_dir.iterdir()):
            tests_dir.rmdir()
    for rel in _DROPPED_DIRS:
        shutil.rmtree(target / rel, ignore_errors=True)
    for stub in target.rglob("*.pyi"):
        stub.unlink()
    shutil.rmtree(target / "bin", ignore_errors=True)
    (target / ".lock").unlink(missing_ok=True)  # uv's lock file in a --target directory
    for cache in sorted(target.rglob("__pycache__"), reverse=True):
        shutil.rmtree(cache, ignore_errors=True)
    for pyc in target.rglob("*.py[co]"):
        pyc.unlink()


def _check_soundfile(target: Path) -> None:
    if not list(target.glob("_soundfile_data/libsndfile*.so*")):
        raise LayerBuildError(
            "the soundfile wheel installed bundles no libsndfile (_soundfile_data/libsndfile*.so);"
            " Amazon Linux has none, so `import soundfile` would fail on Lambda. Choose a runtime"
            " and architecture with a manylinux soundfile wheel (python3.12+ on x86_64 or arm64)."
        )


def _interpreter_version(interpreter: str) -> str:
    return subprocess.run(
        [interpreter, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def _compile(target: Path, interpreter: str, *, prefix: str = "/opt/python") -> None:
    """Compile ``target`` with the runtime's Python, as Lambda will see it (under ``prefix``).

    Run from inside ``target`` on relative paths: with absolute build paths of different
    lengths the compiler's allocations differ, and marshal's reference flags (which depend on
    reference counts) then make some ``.pyc`` differ between otherwise identical builds.
    """
    subprocess.run(
        [interpreter, "-m", "compileall", "-q", "-j", "1", "--invalidation-mode", "unchecked-hash",
         "-d", prefix, "."],
        cwd=target, check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "0"},
    )  # fmt: skip


def _layer_key(
    runtime: str, architecture: str, glibc: tuple[int, int]
) -> tuple[str, dict[str, object]]:
    major, minor = _runtime_version(runtime)
    interpreter = _local_interpreter(major, minor)
    version = _interpreter_version(interpreter) if interpreter else None
    inputs: dict[str, object] = {
        "recipe": RECIPE_VERSION,
        "runtime": runtime,
        "architecture": architecture,
        "tags": platform_tags(architecture, glibc),
        "requirements": layer_requirements(runtime, architecture, glibc=glibc),
        "bytecode": version,
        # pip and uv write different INSTALLER files: part of the archive's inputs.
        "installer": "uv" if _pip_command(major, minor)[1:] == ["pip"] else "pip",
    }
    return _digest([json.dumps(inputs, sort_keys=True).encode()]), inputs


def build_layer(
    out_dir: Path | str,
    *,
    runtime: str = "python3.12",
    architecture: str = "x86_64",
    glibc: tuple[int, int] | None = None,
    compile_bytecode: bool = True,
) -> Path:
    """Build ``layer-<runtime>-<architecture>.zip`` (``python/...``) in ``out_dir``.

    ``glibc`` defaults to the runtime's OS (Amazon Linux 2 or 2023). Raises
    :class:`LayerBuildError` when no suitable wheels exist or soundfile lacks libsndfile.
    """
    major, minor = _runtime_version(runtime)
    glibc = glibc or _runtime_glibc(runtime)
    requirements = layer_requirements(runtime, architecture, glibc=glibc)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="layer-", dir=out_dir) as work:
        target = Path(work) / "python"
        target.mkdir()
        _install(
            target, requirements, major=major, minor=minor, architecture=architecture, glibc=glibc
        )
        _strip(target)
        _check_soundfile(target)
        interpreter = _local_interpreter(major, minor) if compile_bytecode else None
        if interpreter:
            _compile(target, interpreter)
        elif compile_bytecode:
            print(
                f"warning: no local python{major}.{minor}: the layer ships without bytecode; "
                "cold starts import it from source (about 0.24 s instead of 0.11 s)",
                file=sys.stderr,
            )
        files = [
            (path.relative_to(target.parent).as_posix(), path)
            for path in _iter_files(target, source_tree=False)
        ] + [
            (path.relative_to(target.parent).as_posix(), path)
            for path in sorted(target.rglob("__pycache__/*.pyc"))
        ]
        return _write_zip(files, out_dir / f"layer-{runtime}-{architecture}.zip")


def _layer_path(runtime: str, architecture: str, cache_dir: Path) -> Path:
    key, _ = _layer_key(runtime, architecture, _runtime_glibc(runtime))
    return cache_dir / f"layer-{runtime}-{architecture}-{key[:16]}.zip"


def layer_archive(
    *, runtime: str = "python3.12", architecture: str = "x86_64", cache_dir: Path = BUILD_DIR
) -> Path:
    """The layer zip, cached under ``cache_dir`` by a hash of its inputs (built if missing)."""
    out = _layer_path(runtime, architecture, cache_dir)
    if not out.exists():
        with tempfile.TemporaryDirectory(prefix="layer-build-", dir=_ensure(cache_dir)) as tmp:
            built = build_layer(
                tmp, runtime=runtime, architecture=architecture, glibc=_runtime_glibc(runtime)
            )
            os.replace(built, out)
    return out


def current_archives(
    *, runtime: str, architecture: str, cache_dir: Path = BUILD_DIR
) -> tuple[Path, Path]:
    """The cached function and layer zips of the current inputs, without building anything.

    Raises
    ------
    FileNotFoundError
        When either is missing or stale: the message says which ``make artifacts`` to run.

    """
    paths = (
        _function_path(runtime, cache_dir, LAMBDA_ROOT),
        _layer_path(runtime, architecture, cache_dir),
    )
    missing = [path.name for path in paths if not path.exists()]
    if missing:
        raise FileNotFoundError(
            f"no up-to-date {' and '.join(missing)} in {cache_dir}: run `make artifacts "
            f"RUNTIME={runtime} ARCH={architecture}` first (or give prebuilt archives in "
            "EMOTION_DYNAMICS_FUNCTION_ZIP and EMOTION_DYNAMICS_LAYER_ZIP)"
        )
    return paths


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def build_local_layer(out_dir: Path | str) -> Path:
    """A layer for this machine's interpreter and platform (for local packaging tests).

    Same recipe as :func:`build_layer`, for the running Python version and machine and this
    machine's glibc (Linux only).
    """
    if sys.platform != "linux":
        raise LayerBuildError("a local layer can only be built on Linux (manylinux wheels)")
    libc, version = platform.libc_ver()
    if libc != "glibc":
        raise LayerBuildError(f"expected glibc, found {libc or 'unknown'} libc")
    glibc = (int(version.split(".")[0]), int(version.split(".")[1]))
    machine = platform.machine()
    architecture = {"x86_64": "x86_64", "aarch64": "arm64"}.get(machine)
    if architecture is None:
        raise LayerBuildError(f"unsupported machine {machine!r}")
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return build_layer(out_dir, runtime=runtime, architecture=architecture, glibc=glibc)


# --- command line ------------------------------------------------------------------------------


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    """Build (or reuse) both archives and print their paths and sizes against Lambda's limits."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runtime", default="python3.12")
    parser.add_argument("--architecture", default="x86_64", choices=sorted(MACHINES))
    parser.add_argument("--cache-dir", type=Path, default=BUILD_DIR)
    parser.add_argument(
        "--export",
        type=Path,
        metavar="DIR",
        help="also copy them to DIR/function.zip and DIR/layer.zip (CI hands these on)",
    )
    args = parser.parse_args(argv)
    try:
        function = function_archive(runtime=args.runtime, cache_dir=args.cache_dir)
        layer = layer_archive(
            runtime=args.runtime, architecture=args.architecture, cache_dir=args.cache_dir
        )
    except LayerBuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    fn_sizes, layer_sizes = archive_sizes(function), archive_sizes(layer)
    total = fn_sizes.unzipped + layer_sizes.unzipped
    for label, path, sizes in (("function", function, fn_sizes), ("layer", layer, layer_sizes)):
        print(f"{label}: {path}")
        print(
            f"  zipped {_mb(sizes.zipped)} (direct upload limit {_mb(DIRECT_UPLOAD_LIMIT_BYTES)}),"
            f" unzipped {_mb(sizes.unzipped)}"
        )
    print(f"total unzipped {_mb(total)} (Lambda limit {_mb(UNZIPPED_LIMIT_BYTES)})")
    if args.export is not None:
        for name, path in (("function.zip", function), ("layer.zip", layer)):
            shutil.copyfile(path, _ensure(args.export) / name)
        print(f"exported: {args.export / 'function.zip'}, {args.export / 'layer.zip'}")
    too_big = total > UNZIPPED_LIMIT_BYTES or max(fn_sizes.zipped, layer_sizes.zipped) > (
        DIRECT_UPLOAD_LIMIT_BYTES
    )
    return 1 if too_big else 0
