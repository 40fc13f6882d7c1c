"""The smoke test of a deployed stack, against botocore's Stubber (no Lambda emulator runs here).

GIVEN a real boto3 Lambda client whose Invoke calls are stubbed with the exact requests the
smoke test must send (FunctionName = the alias ARN, the payload of each sample event) and
answers recorded from the real handler run in-process on those payloads, WHEN the smoke test
runs, THEN it sends one Invoke per event (plus one synthesis), reports every match, and a
mismatch as a failure naming the event.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from emotion_dynamics.app import App
from emotion_dynamics.config import load_config
from emotion_dynamics.observability import Telemetry
from emotion_dynamics_dev import smoke
from emotion_dynamics_infra.function import ALIAS_NAME
from tests.support import EVENTS_DIR, EXPECTED, FakeContext, FakeSynthesizer, event_names

ALIAS_ARN = "arn:aws:lambda:us-east-1:123456789012:function:emotion-dynamics-dev:live"


@pytest.fixture
def synth() -> FakeSynthesizer:
    return FakeSynthesizer()


@pytest.fixture
def app(synth: FakeSynthesizer) -> App:
    config = load_config({"ENABLE_METRICS": "false"})
    return App(config, synth, Telemetry(config, stream=io.StringIO()))


def recorded(answer: object, *, function_error: str | None = None) -> dict[str, Any]:
    """An Invoke response as Lambda returns it for a synchronous call."""
    data = json.dumps(answer).encode("utf-8")
    response: dict[str, Any] = {
        "StatusCode": 200,
        "ExecutedVersion": "7",
        "Payload": StreamingBody(io.BytesIO(data), len(data)),
    }
    if function_error:
        response["FunctionError"] = function_error
    return response


@pytest.fixture
def lambda_client() -> Any:
    return boto3.client(
        "lambda",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


Answer = Callable[[smoke.Case], dict[str, Any]]


def stub_all(
    client: Any, cases: list[smoke.Case], answer: Answer, *, extra: dict[str, str] | None = None
) -> Stubber:
    """Expect exactly one Invoke per case, with its exact request, answered by ``answer``."""
    stubber = Stubber(client)
    for case in cases:
        expected = {
            "FunctionName": ALIAS_ARN if extra is None else extra["FunctionName"],
            "InvocationType": "RequestResponse",
            "Payload": case.payload,
        }
        if extra and "Qualifier" in extra:
            expected["Qualifier"] = extra["Qualifier"]
        stubber.add_response("invoke", answer(case), expected)
    stubber.activate()
    return stubber


def from_handler(app: App) -> Answer:
    def answer(case: smoke.Case) -> dict[str, Any]:
        return recorded(app.handle(json.loads(case.payload), FakeContext()))

    return answer


@pytest.fixture
def fake_pulumi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str, int], Path]:
    """A ``pulumi`` executable on PATH that prints given outputs and records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    def install(stdout: str, status: int = 0) -> Path:
        args_file = tmp_path / "pulumi-args"
        (tmp_path / "pulumi-stdout").write_text(stdout, encoding="utf-8")
        script = bin_dir / "pulumi"
        script.write_text(
            "#!/bin/sh\n"
            f'echo "$@" > "{args_file}"\n'
            f'cat "{tmp_path / "pulumi-stdout"}"\n'
            f'[ {status} -eq 0 ] || echo "error: no stack named dev found" >&2\n'
            f"exit {status}\n",
            encoding="utf-8",
        )
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        return args_file

    return install


def test_the_alias_name_is_the_programs() -> None:
    assert smoke.ALIAS == ALIAS_NAME


def test_one_analysis_only_invoke_per_event_and_one_synthesis(
    app: App,
    synth: FakeSynthesizer,
    lambda_client: Any,
    fake_pulumi: Callable[[str, int], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN the stack's outputs (read with the Pulumi CLI) and answers from the real handler
    args_file = fake_pulumi(json.dumps({"aliasArn": ALIAS_ARN, "functionName": "x"}), 0)
    cases = smoke.load_cases()
    stubber = stub_all(lambda_client, cases, from_handler(app))
    # WHEN the smoke test runs against the stack
    status = smoke.main(["--stack", "dev"], client=lambda_client)
    # THEN every stubbed request was sent exactly as expected, and every answer matched
    stubber.assert_no_pending_responses()
    out = capsys.readouterr().out
    assert status == 0, out
    assert args_file.read_text().split() == ["stack", "output", "--json", "--stack", "dev"]
    names = event_names()
    assert [c.name for c in cases] == [*names, "valid_wav_base64"]
    assert cases[-1].synthesis and not any(c.synthesis for c in cases[:-1])
    # analysis only: nothing reached the synthesizer but the one real synthesis
    assert len(synth.requests) == 1
    table = out.splitlines()
    assert table[0].split() == ["event", "expected", "got", "result"]
    assert len(table) == len(cases) + 2
    assert all(line.rstrip().endswith("ok") for line in table[1:-1])
    assert table[-1] == f"{len(cases)} invocations of {ALIAS_ARN}: {len(cases)} ok"
    row = next(line for line in table if line.startswith("invalid_voice "))
    assert row.split()[1:] == ["400", "INVALID_EVENT", "400", "INVALID_EVENT", "ok"]
    assert next(x for x in table if x.startswith("valid_wav_base64 +synthesis")).split()[2:] == [
        "200", "with", "audio", "200", "with", "audio", "ok",
    ]  # fmt: skip


def test_payloads_are_the_events_with_synthesis_off() -> None:
    cases = {c.label: c for c in smoke.load_cases()}
    for name in event_names():
        event = json.loads((EVENTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
        sent = json.loads(cases[name].payload)
        if isinstance(event, dict) and "synthesize" not in event.get("options", {}):
            assert sent == {**event, "options": {**event.get("options", {}), "synthesize": False}}
        else:
            assert sent == event  # a list, or an event that sets synthesize itself
    synthesis = cases["valid_wav_base64 +synthesis"]
    assert json.loads(synthesis.payload) == json.loads(
        (EVENTS_DIR / "valid_wav_base64.json").read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("name", event_names())
def test_analysis_only_keeps_each_expected_answer(app: App, name: str) -> None:
    # What the smoke test relies on: turning synthesis off changes no status or error code.
    event = json.loads((EVENTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    answer = app.handle(smoke.analysis_only(event), FakeContext())
    assert answer["statusCode"] == EXPECTED[name]["status"]
    if answer["statusCode"] >= 400:
        assert answer["error"]["code"] == EXPECTED[name]["code"]
    else:
        assert "audio_base64" not in answer


def test_a_mismatch_is_a_failure_naming_the_event(
    app: App, lambda_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a deployed function that (wrongly) accepts an unknown voice
    cases = smoke.load_cases()
    honest = from_handler(app)

    def answer(case: smoke.Case) -> dict[str, Any]:
        if case.name == "invalid_voice":
            return recorded({"statusCode": 200, "ssml": "<speak>x</speak>"})
        return honest(case)

    stubber = stub_all(lambda_client, cases, answer)
    status = smoke.main(["--function", ALIAS_ARN], client=lambda_client)
    stubber.assert_no_pending_responses()
    out = capsys.readouterr().out.splitlines()
    assert status == 1
    assert next(x for x in out if x.startswith("invalid_voice ")).split()[-1] == "FAILED"
    assert out[-1].endswith(
        f"{len(cases) - 1} ok, FAILED: invalid_voice (expected 400 INVALID_EVENT, got 200)"
    )


def test_an_unhandled_function_error_and_missing_audio_fail(
    app: App, lambda_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = smoke.load_cases()
    honest = from_handler(app)

    def answer(case: smoke.Case) -> dict[str, Any]:
        if case.name == "invalid_base64":
            return recorded(
                {"errorType": "Runtime.ImportModuleError", "errorMessage": "no numpy"},
                function_error="Unhandled",
            )
        if case.synthesis:
            return recorded({"statusCode": 200, "ssml": "<speak>x</speak>"})  # no audio
        return honest(case)

    stubber = stub_all(lambda_client, cases, answer)
    assert smoke.main(["--function", ALIAS_ARN], client=lambda_client) == 1
    stubber.assert_no_pending_responses()
    last = capsys.readouterr().out.splitlines()[-1]
    assert "invalid_base64 (function error Unhandled (Runtime.ImportModuleError))" in last
    assert "valid_wav_base64 +synthesis (expected synthesized audio, got none)" in last
    assert "no numpy" not in last  # the function's own message is not echoed


def test_a_function_name_is_invoked_at_the_live_alias(
    app: App, lambda_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = smoke.load_cases(synthesis_event=None)
    stubber = stub_all(
        lambda_client,
        cases,
        from_handler(app),
        extra={"FunctionName": "emotion-dynamics-dev", "Qualifier": "live"},
    )
    argv = ["--function", "emotion-dynamics-dev", "--region", "us-east-1", "--no-synthesis"]
    assert smoke.main(argv, client=lambda_client) == 0
    stubber.assert_no_pending_responses()
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .startswith(f"{len(event_names())} invocations of emotion-dynamics-dev (live): ")
    )


def test_events_are_read_as_they_are_now(
    tmp_path: Path, app: App, lambda_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a new event without an expectation (another change may add events at any time)
    events = tmp_path / "events"
    shutil.copytree(EVENTS_DIR, events, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (events / "valid_brand_new.json").write_text(
        (EVENTS_DIR / "valid_silence.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    cases = smoke.load_cases(events, synthesis_event=None)
    assert "valid_brand_new" in [c.name for c in cases]
    stubber = stub_all(lambda_client, cases, from_handler(app))
    argv = ["--function", ALIAS_ARN, "--events", str(events), "--no-synthesis"]
    assert smoke.main(argv, client=lambda_client) == 1
    stubber.assert_no_pending_responses()
    assert (
        capsys.readouterr()
        .out.splitlines()[-1]
        .endswith("FAILED: valid_brand_new (no entry in expected.json)")
    )


@pytest.mark.parametrize(
    ("pulumi_says", "message"),
    [
        ((json.dumps({"functionName": "x"}), 0), "smoke: stack dev has no aliasArn output"),
        (("", 255), "smoke: `pulumi stack output --json --stack dev` failed: error: no stack"),
        (("not json", 0), "smoke: `pulumi stack output --json --stack dev` printed no JSON"),
    ],
)
def test_no_target_is_a_one_line_setup_error(
    fake_pulumi: Callable[[str, int], Path],
    lambda_client: Any,
    capsys: pytest.CaptureFixture[str],
    pulumi_says: tuple[str, int],
    message: str,
) -> None:
    fake_pulumi(*pulumi_says)
    stubber = Stubber(lambda_client)
    stubber.activate()  # any Invoke would fail: none may be sent
    assert smoke.main(["--stack", "dev"], client=lambda_client) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_no_pulumi_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(smoke.SmokeError, match="Pulumi CLI is not installed"):
        smoke.stack_outputs("dev")


def test_make_smoke_runs_this_module() -> None:
    makefile = (smoke.ROOT / "Makefile").read_text(encoding="utf-8")
    target = makefile.split("\nsmoke:", 1)[1].split("\n\n", 1)[0]
    assert "$(PY) -m emotion_dynamics_dev.smoke --stack $(STACK)" in target
