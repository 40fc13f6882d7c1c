"""Smoke test of a deployed stack: invoke its ``live`` alias with every sample event.

    .venv/bin/python -m emotion_dynamics_dev.smoke --stack dev          # make smoke STACK=dev
    .venv/bin/python -m emotion_dynamics_dev.smoke --function emotion-dynamics-dev --region us-east-1

The target is the stack's ``aliasArn`` output (``pulumi stack output --json --stack S``), or
``--function`` (a name or ARN; an unqualified one is invoked at ``--qualifier``, default
``live``). Every event in ``tests/events/`` is sent synchronously (``RequestResponse``) with
``options.synthesize`` set to false, so Polly is not called, then one valid event once more
as it is, for one real synthesis. Each answer's status (and error code) is compared with
``tests/events/expected.json``; a table is printed and the exit status is 1 when any event
got another answer (its name is in the last line), 2 when the target cannot be found.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

__all__ = [
    "EVENTS_DIR",
    "Case",
    "Outcome",
    "SmokeError",
    "Target",
    "analysis_only",
    "load_cases",
    "main",
    "run",
    "stack_outputs",
    "table",
]

ROOT: Final = Path(__file__).resolve().parents[2]
EVENTS_DIR: Final = ROOT / "tests" / "events"
EXPECTED_FILE: Final = "expected.json"
#: The alias callers invoke (``emotion_dynamics_infra.function.ALIAS_NAME``).
ALIAS: Final = "live"
#: The event sent once more with synthesis on, when it exists.
SYNTHESIS_EVENT: Final = "valid_wav_base64"


class SmokeError(Exception):
    """The smoke test cannot start: no target, no outputs, no events."""


class LambdaClient(Protocol):
    """The part of a boto3 Lambda client the smoke test uses."""

    def invoke(self, **kwargs: Any) -> Mapping[str, Any]:
        """Lambda's Invoke."""


@dataclass(frozen=True)
class Target:
    """What to invoke: ``FunctionName`` (and a ``Qualifier`` for an unqualified name)."""

    function_name: str
    qualifier: str | None
    region: str | None


@dataclass(frozen=True)
class Case:
    """One invocation: the event's name, the exact payload, and the answer expected."""

    name: str
    payload: bytes
    status: int
    code: str | None
    synthesis: bool = False

    @property
    def label(self) -> str:
        """The event's name, marked when this is the real synthesis."""
        return f"{self.name} +synthesis" if self.synthesis else self.name

    @property
    def expected(self) -> str:
        """The expected answer, as the table shows it."""
        if self.synthesis:
            return f"{self.status} with audio"
        return f"{self.status} {self.code}" if self.code else str(self.status)


@dataclass(frozen=True)
class Outcome:
    """What one invocation answered, and what was wrong with it (``None``: as expected)."""

    case: Case
    got: str
    problem: str | None

    @property
    def ok(self) -> bool:
        """Whether the answer was the expected one."""
        return self.problem is None


def analysis_only(event: Any) -> Any:
    """``event`` with ``options.synthesize`` false (unless it sets synthesize itself)."""
    if not isinstance(event, dict):
        return event
    options = event.get("options", {})
    if not isinstance(options, dict) or "synthesize" in options:
        return event
    changed = copy.deepcopy(event)
    changed["options"] = {**options, "synthesize": False}
    return changed


def _payload(event: Any) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode("utf-8")


def load_cases(
    events_dir: Path = EVENTS_DIR, *, synthesis_event: str | None = SYNTHESIS_EVENT
) -> list[Case]:
    """One analysis-only case per event file, then the synthesis case (``None``: none).

    The event files are read as they are now (another event added to the folder is sent
    too); an event without an entry in ``expected.json`` is a case that cannot pass.
    """
    expected_path = events_dir / EXPECTED_FILE
    try:
        expected: dict[str, dict[str, Any]] = json.loads(expected_path.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SmokeError(f"cannot read {expected_path}: {exc}") from None
    files = sorted(p for p in events_dir.glob("*.json") if p.name != EXPECTED_FILE)
    if not files:
        raise SmokeError(f"no sample events in {events_dir}")
    cases: list[Case] = []
    events: dict[str, Any] = {}
    for path in files:
        event = json.loads(path.read_text("utf-8"))
        events[path.stem] = event
        want = expected.get(path.stem, {})
        status = int(want.get("status", 0))  # 0: no expectation, never matches
        code = want.get("code") if status >= 400 else None
        cases.append(Case(path.stem, _payload(analysis_only(event)), status, code))
    if synthesis_event is not None:
        name = _synthesis_event(synthesis_event, events, expected)
        cases.append(Case(name, _payload(events[name]), 200, None, synthesis=True))
    return cases


def _synthesis_event(
    wanted: str, events: Mapping[str, Any], expected: Mapping[str, Mapping[str, Any]]
) -> str:
    """``wanted`` if it is a valid event that synthesizes, else the first such event."""

    def synthesizes(name: str) -> bool:
        event = events[name]
        options = event.get("options", {}) if isinstance(event, dict) else {}
        return (
            expected.get(name, {}).get("status") == 200
            and isinstance(options, dict)
            and options.get("synthesize", True) is not False
        )

    if wanted in events and synthesizes(wanted):
        return wanted
    for name in events:
        if synthesizes(name):
            return name
    raise SmokeError("no valid event that synthesizes: cannot test a real synthesis")


def _answer(response: Mapping[str, Any]) -> tuple[int | None, str | None, bool, str | None]:
    """(status, error code, audio present, function error) of one Invoke response."""
    body = response.get("Payload")
    raw = body.read() if body is not None else b""
    try:
        answer = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        answer = None
    if response.get("FunctionError"):
        kind = answer.get("errorType") if isinstance(answer, dict) else None
        return None, None, False, f"function error {response['FunctionError']} ({kind})"
    if not isinstance(answer, dict):
        return None, None, False, "the answer is not a JSON object"
    status = answer.get("statusCode")
    error = answer.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    audio = bool(answer.get("audio_base64"))
    return (status if isinstance(status, int) else None), code, audio, None


def _judge(case: Case, response: Mapping[str, Any]) -> Outcome:
    status, code, audio, failure = _answer(response)
    if failure is not None:
        return Outcome(case, failure, failure)
    got = f"{status} {code}" if code else str(status)
    if case.synthesis:
        got = f"{status} {'with' if audio else 'without'} audio"
    if case.status == 0:
        return Outcome(case, got, f"no entry in {EXPECTED_FILE}")
    if status != case.status or (case.code is not None and code != case.code):
        return Outcome(case, got, f"expected {case.expected}, got {got}")
    if case.synthesis and not audio:
        return Outcome(case, got, "expected synthesized audio, got none")
    return Outcome(case, got, None)


def run(client: LambdaClient, target: Target, cases: Sequence[Case]) -> list[Outcome]:
    """Invoke ``target`` once per case, synchronously; judge each answer."""
    from botocore.exceptions import BotoCoreError, ClientError

    outcomes = []
    for case in cases:
        request: dict[str, Any] = {
            "FunctionName": target.function_name,
            "InvocationType": "RequestResponse",
            "Payload": case.payload,
        }
        if target.qualifier is not None:
            request["Qualifier"] = target.qualifier
        try:
            response = client.invoke(**request)
        except ClientError as exc:
            problem = f"Invoke failed: {exc.response.get('Error', {}).get('Code', 'ClientError')}"
            outcomes.append(Outcome(case, problem, problem))
        except BotoCoreError as exc:
            problem = f"Invoke failed: {type(exc).__name__}"
            outcomes.append(Outcome(case, problem, problem))
        else:
            outcomes.append(_judge(case, response))
    return outcomes


def table(outcomes: Sequence[Outcome], target: Target) -> str:
    """The results as a text table, and a last line naming every failed event."""
    rows = [("event", "expected", "got", "result")] + [
        (o.case.label, o.case.expected, o.got, "ok" if o.ok else "FAILED") for o in outcomes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]  # fmt: skip
    failed = [o for o in outcomes if not o.ok]
    where = target.function_name + (f" ({target.qualifier})" if target.qualifier else "")
    summary = f"{len(outcomes)} invocations of {where}: {len(outcomes) - len(failed)} ok"
    if failed:
        summary += ", FAILED: " + "; ".join(f"{o.case.label} ({o.problem})" for o in failed)
    return "\n".join([*lines, summary])


def stack_outputs(stack: str, *, cwd: Path = ROOT) -> dict[str, Any]:
    """The stack's outputs, from ``pulumi stack output --json --stack STACK``."""
    command = ["pulumi", "stack", "output", "--json", "--stack", stack]
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise SmokeError("the Pulumi CLI is not installed (or use --function)") from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SmokeError(f"`{' '.join(command)}` failed: {detail}")
    try:
        outputs = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise SmokeError(f"`{' '.join(command)}` printed no JSON") from None
    if not isinstance(outputs, dict):
        raise SmokeError(f"`{' '.join(command)}` printed no JSON object")
    return outputs


def _arn_region(name: str) -> str | None:
    parts = name.split(":")
    return parts[3] if name.startswith("arn:") and len(parts) > 3 else None


def _is_qualified(name: str) -> bool:
    # arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] or NAME[:QUALIFIER]
    parts = name.split(":")
    return len(parts) == 8 if name.startswith("arn:") else len(parts) == 2


def resolve_target(args: argparse.Namespace) -> Target:
    """The alias to invoke, from the stack's outputs or ``--function``."""
    if args.function:
        qualifier = None if _is_qualified(args.function) else args.qualifier
        return Target(args.function, qualifier, args.region or _arn_region(args.function))
    outputs = stack_outputs(args.stack)
    alias_arn = outputs.get("aliasArn")
    if not isinstance(alias_arn, str) or not alias_arn:
        raise SmokeError(f"stack {args.stack} has no aliasArn output: run `pulumi up` first")
    return Target(alias_arn, None, args.region or _arn_region(alias_arn))


def _client(region: str | None) -> LambdaClient:
    import boto3
    from botocore.config import Config

    # No retries: a failed invocation is a finding, and Invoke is not idempotent.
    config = Config(connect_timeout=5, read_timeout=120, retries={"total_max_attempts": 1})
    client: LambdaClient = boto3.client("lambda", region_name=region, config=config)
    return client


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m emotion_dynamics_dev.smoke",
        description="Invoke a deployed stack's live alias with every sample event.",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="the Pulumi stack whose aliasArn output to invoke")
    where.add_argument("--function", help="a function name or ARN instead of a stack")
    parser.add_argument("--qualifier", default=ALIAS, help="alias of an unqualified --function")
    parser.add_argument("--region", help="AWS region (default: the ARN's, else the SDK's)")
    parser.add_argument("--events", type=Path, default=EVENTS_DIR, help="sample events folder")
    parser.add_argument("--synthesis-event", default=SYNTHESIS_EVENT,
                        help="the valid event sent once more with synthesis")  # fmt: skip
    parser.add_argument("--no-synthesis", action="store_true", help="skip the real synthesis")
    return parser


def main(argv: Sequence[str] | None = None, *, client: LambdaClient | None = None) -> int:
    """Run the smoke test; 0 when every answer matched, 1 on a mismatch, 2 on setup errors."""
    args = _parser().parse_args(argv)
    try:
        target = resolve_target(args)
        cases = load_cases(
            args.events, synthesis_event=None if args.no_synthesis else args.synthesis_event
        )
    except SmokeError as exc:
        print(f"smoke: {exc}", file=sys.stderr)
        return 2
    outcomes = run(client if client is not None else _client(target.region), target, cases)
    print(table(outcomes, target))
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
