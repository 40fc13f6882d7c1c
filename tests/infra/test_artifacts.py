"""Deterministic archives: the function zip and a real layer build for python3.12/x86_64."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from emotion_dynamics_build import archives as artifacts
from tests.infra.infra_harness import REPO

PY312 = next(iter(sorted(Path("/root/.pyenv/versions").glob("3.12.*/bin/python3.12"))), None)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_function_zip_is_deterministic(tmp_path: Path) -> None:
    first = artifacts.build_function_zip(tmp_path / "a.zip")
    # Touch every source file: timestamps must not leak into the archive.
    copy = tmp_path / "lambda"
    shutil.copytree(REPO / "lambda", copy)
    (copy / "emotion_dynamics" / "__pycache__").mkdir(exist_ok=True)
    (copy / "emotion_dynamics" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"junk")
    second = artifacts.build_function_zip(tmp_path / "b.zip", code_root=copy)
    assert _sha(first) == _sha(second)
    with zipfile.ZipFile(first) as zf:
        names = zf.namelist()
        infos = zf.infolist()
    assert names == sorted(names)
    assert "emotion_dynamics/config.py" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") or "/tests/" in n for n in names)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} <= {0o100644, 0o100755}


def test_function_zip_holds_only_the_handler_and_the_runtime_package(tmp_path: Path) -> None:
    # GIVEN a stray development file beside the handler, WHEN the zip is built
    copy = tmp_path / "lambda"
    shutil.copytree(REPO / "lambda", copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "notes.py").write_text("x = 1\n", encoding="utf-8")
    built = artifacts.build_function_zip(tmp_path / "f.zip", code_root=copy)
    with zipfile.ZipFile(built) as zf:
        names = zf.namelist()
    # THEN it holds handler.py and emotion_dynamics/ only: no CLI, demo or espeak-ng code
    package = sorted(
        p.relative_to(REPO / "lambda").as_posix()
        for p in (REPO / "lambda" / "emotion_dynamics").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    expected = ["handler.py", *package]
    assert sorted(names) == sorted(expected)
    for forbidden in ("cli", "demo", "espeak", "__main__", "stack_env", "contract_docs"):
        assert not [n for n in names if forbidden in n], forbidden


def test_current_archives_says_which_make_artifacts_to_run(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"make artifacts RUNTIME=python3\.12 ARCH=arm64"):
        artifacts.current_archives(runtime="python3.12", architecture="arm64", cache_dir=tmp_path)
    function = artifacts.function_archive(runtime=None, cache_dir=tmp_path)
    assert function.parent == tmp_path


def test_function_zip_carries_bytecode_of_the_runtime(tmp_path: Path) -> None:
    if PY312 is None:
        pytest.skip("no local python3.12 to compile the function's bytecode with")
    first = artifacts.build_function_zip(tmp_path / "a.zip", runtime="python3.12")
    copy = tmp_path / "lambda"
    shutil.copytree(REPO / "lambda", copy, ignore=shutil.ignore_patterns("__pycache__"))
    second = artifacts.build_function_zip(tmp_path / "b.zip", code_root=copy, runtime="python3.12")
    assert _sha(first) == _sha(second)  # bytecode too is reproducible
    with zipfile.ZipFile(first) as zf:
        names = set(zf.namelist())
    sources = {n for n in names if n.endswith(".py")}
    compiled = {n for n in names if n.endswith(".pyc")}
    assert "emotion_dynamics/__pycache__/app.cpython-312.pyc" in compiled
    assert len(compiled) == len(sources)  # one .pyc per module, all for 3.12
    assert all(".cpython-312." in n for n in compiled)


def test_function_archive_is_cached_by_content(tmp_path: Path) -> None:
    first = artifacts.function_archive(cache_dir=tmp_path)
    assert artifacts.function_archive(cache_dir=tmp_path) == first
    copy = tmp_path / "lambda"
    shutil.copytree(REPO / "lambda", copy)
    (copy / "emotion_dynamics" / "extra.py").write_text("X = 1\n")
    assert artifacts.function_archive(cache_dir=tmp_path, code_root=copy) != first


def test_platform_tags_follow_the_runtime_glibc() -> None:
    al2023 = artifacts.platform_tags("x86_64", (2, 34))
    assert al2023[0] == "manylinux_2_28_x86_64" and al2023[-1] == "manylinux2014_x86_64"
    al2 = artifacts.platform_tags("arm64", (2, 26))
    assert al2[0] == "manylinux_2_26_aarch64"
    assert "manylinux_2_28_aarch64" not in al2
    with pytest.raises(artifacts.LayerBuildError):
        artifacts.platform_tags("sparc", (2, 34))


def test_layer_requirements_are_the_locked_runtime_dependencies() -> None:
    pins = dict(r.split("==") for r in artifacts.layer_requirements("python3.12", "x86_64"))
    assert {"numpy", "soundfile", "aws-lambda-powertools"} <= set(pins)
    assert "boto3" not in pins and "botocore" not in pins  # the runtime provides them
    old = dict(r.split("==") for r in artifacts.layer_requirements("python3.11", "x86_64"))
    assert old["soundfile"] == artifacts.OLD_GLIBC_PINS["soundfile"]


@pytest.mark.slow
def test_layer_is_reproducible_small_and_importable(tmp_path: Path) -> None:
    # One build is the program's own cached layer (free when `pulumi up` or `make artifacts`
    # already built it); the other is always fresh. Same inputs must give the same bytes.
    cached = artifacts.layer_archive(runtime="python3.12", architecture="x86_64")
    fresh = artifacts.build_layer(tmp_path / "fresh", runtime="python3.12", architecture="x86_64")
    assert _sha(cached) == _sha(fresh)

    sizes = artifacts.archive_sizes(fresh)
    function_sizes = artifacts.archive_sizes(artifacts.function_archive())
    assert sizes.unzipped + function_sizes.unzipped < artifacts.UNZIPPED_LIMIT_BYTES
    assert sizes.zipped < artifacts.DIRECT_UPLOAD_LIMIT_BYTES

    with zipfile.ZipFile(fresh) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "opt")
    assert all(n.startswith("python/") for n in names)
    assert any(n.startswith("python/_soundfile_data/libsndfile") for n in names)
    assert "python/numpy/_core/tests/_natype.py" in names  # numpy.testing imports it
    assert not [
        n for n in names if "/tests/" in n and not n.startswith("python/numpy/_core/tests/")
    ]
    assert not any(n.startswith("python/numpy/f2py/") or n.endswith(".pyi") for n in names)
    assert not any(n.startswith("python/bin/") for n in names)
    assert not any(n.startswith(("python/boto3/", "python/botocore/")) for n in names)

    if PY312 is None:
        pytest.skip("no local python3.12 to import the layer with")
    assert any(n.endswith(".cpython-312.pyc") for n in names)  # bytecode for the runtime
    probe = subprocess.run(
        [str(PY312), "-I", "-c",
         "import sys; sys.path.insert(0, sys.argv[1]); "
         "import numpy, numpy.testing, soundfile, aws_lambda_powertools; "
         "from aws_lambda_powertools import Logger, Metrics; "
         "print(numpy.__file__, soundfile.__libsndfile_version__)",
         str(tmp_path / "opt" / "python")],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    assert str(tmp_path / "opt" / "python") in probe.stdout


def test_cli_prints_sizes_against_limits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_layer = tmp_path / "layer.zip"
    with zipfile.ZipFile(fake_layer, "w") as zf:
        zf.writestr("python/x.py", "x = 1\n")
    monkeypatch.setattr(artifacts, "layer_archive", lambda **_: fake_layer)
    assert artifacts.main(["--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "function: " in out and "layer: " in out
    assert "Lambda limit 250.0 MB" in out and "direct upload limit 50.0 MB" in out


def test_cli_exports_both_archives_under_fixed_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workflow builds once and hands DIR/function.zip and DIR/layer.zip to later jobs.
    fake_layer = tmp_path / "layer-python3.12-x86_64-0123.zip"
    with zipfile.ZipFile(fake_layer, "w") as zf:
        zf.writestr("python/x.py", "x = 1\n")
    monkeypatch.setattr(artifacts, "layer_archive", lambda **_: fake_layer)
    out_dir = tmp_path / "dist" / "archives"
    assert artifacts.main(["--cache-dir", str(tmp_path), "--export", str(out_dir)]) == 0
    function = artifacts.function_archive(runtime="python3.12", cache_dir=tmp_path)
    assert _sha(out_dir / "function.zip") == _sha(function)
    assert _sha(out_dir / "layer.zip") == _sha(fake_layer)
    assert f"exported: {out_dir / 'function.zip'}" in capsys.readouterr().out


def test_local_layer_builder_targets_this_interpreter(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: dict[str, object] = {}

    def fake_build(out_dir: Path, **kwargs: object) -> Path:
        calls.update(kwargs)
        return Path(out_dir) / "layer.zip"

    monkeypatch.setattr(artifacts, "build_layer", fake_build)
    artifacts.build_local_layer(tmp_path)
    assert calls["runtime"] == f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert calls["architecture"] in ("x86_64", "arm64")
