"""Packaging: the function zip and a layer, extracted and invoked as Lambda would.

GIVEN the function zip (lambda/) and a layer built for this interpreter by emotion_dynamics_build,
WHEN they are extracted to a temporary /var/task and /opt stand-in and ``handler.lambda_handler``
is invoked in a fresh interpreter whose ``sys.path`` holds only those (plus the runtime's
boto3, which Lambda provides), THEN the sample event is answered and a bad environment
variable fails the init naming the variable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from emotion_dynamics_build import archives as artifacts
from tests.support import EVENTS_DIR

#: What the Lambda Python runtime ships besides the standard library.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")

BOOTSTRAP = """
import json, sys
sys.path[:0] = [{task!r}, {layer!r}, {runtime!r}]
import handler
event = json.load(open({event!r}))
event["options"] = {{"synthesize": False}}
class Context:
    aws_request_id = "packaging-test"
    def get_remaining_time_in_millis(self):
        return 10000
response = handler.lambda_handler(event, Context())
mods = sorted(m.split(".")[0] for m in sys.modules)
print(json.dumps({{"response": response, "modules": mods,
                  "numpy": sys.modules["numpy"].__file__, "handler": handler.__file__}}))
"""


@pytest.fixture(scope="module")
def lambda_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("lambda")
    this_python = f"python{sys.version_info.major}.{sys.version_info.minor}"
    zip_path = artifacts.build_function_zip(root / "function.zip", runtime=this_python)
    layer_zip = artifacts.build_local_layer(root / "layer-build")
    task, opt, runtime = root / "var-task", root / "opt", root / "var-runtime"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(task)
    with zipfile.ZipFile(layer_zip) as z:
        z.extractall(opt)
    runtime.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for name in RUNTIME_PACKAGES:
        (runtime / name).symlink_to(site / name)
    return task, opt / "python", runtime


def run_isolated(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # -I: no user site, no PYTHON* variables; -S: not even the interpreter's site-packages.
    base = {
        "PATH": os.environ["PATH"],
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "ENABLE_METRICS": "false",
    }
    return subprocess.run(
        [sys.executable, "-I", "-S", "-c", code],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_zip_holds_only_the_code(lambda_dirs: tuple[Path, Path, Path]) -> None:
    task, _, _ = lambda_dirs
    names = {p.relative_to(task).as_posix() for p in task.rglob("*") if p.is_file()}
    assert "handler.py" in names and "emotion_dynamics/app.py" in names
    tag = sys.implementation.cache_tag  # bytecode compiled by this (the runtime's) Python only
    assert {n for n in names if n.endswith(".pyc")} == {
        f"{n.rsplit('/', 1)[0] + '/' if '/' in n else ''}__pycache__/{n.rsplit('/', 1)[-1][:-3]}.{tag}.pyc"
        for n in names
        if n.endswith(".py")
    }


def test_extracted_package_answers_an_event(lambda_dirs: tuple[Path, Path, Path]) -> None:
    task, layer, runtime = lambda_dirs
    code = BOOTSTRAP.format(
        task=str(task),
        layer=str(layer),
        runtime=str(runtime),
        event=str(EVENTS_DIR / "valid_wav_base64.json"),
    )
    proc = run_isolated(code, {})
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["response"]["statusCode"] == 200
    assert result["response"]["ssml"].startswith("<speak>")
    assert result["numpy"].startswith(str(layer))
    assert result["handler"].startswith(str(task))
    assert not {"librosa", "scipy", "numba"} & set(result["modules"])


def test_bad_environment_fails_init_naming_the_variable(
    lambda_dirs: tuple[Path, Path, Path],
) -> None:
    task, layer, runtime = lambda_dirs
    code = BOOTSTRAP.format(
        task=str(task),
        layer=str(layer),
        runtime=str(runtime),
        event=str(EVENTS_DIR / "valid_wav_base64.json"),
    )
    proc = run_isolated(code, {"VOLUME_LOUD_THRESHOLD": "-40"})
    assert proc.returncode != 0
    assert "ConfigError" in proc.stderr and "VOLUME_LOUD_THRESHOLD" in proc.stderr
