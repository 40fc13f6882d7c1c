"""Harness for the infra tests: run the Pulumi program under mocks with a stack's config.

No Pulumi CLI exists here: config is loaded from ``Pulumi.<stack>.yaml`` (prod with the
operator's alarm address, :data:`OPERATOR_ALARM_EMAIL`; with the schema's
defaults, which are the contract's, underneath, as the engine does), rendered to strings the way the
engine renders it, handed over with ``pulumi.runtime.set_all_config`` BEFORE the program is
imported, and the program runs under ``pulumi.runtime.set_mocks``. The mocks record every
resource's inputs (engine property names, camelCase) and the stack's exports.
"""

from __future__ import annotations

import json
import runpy
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import pulumi
from emotion_dynamics import contract
from emotion_dynamics_infra import stack as stack_settings

REPO = Path(__file__).resolve().parents[2]
PULUMI_DIR = REPO / "pulumi"
STACKS = ("dev", "prod")
ACCOUNT = "123456789012"
REGION = "us-east-1"
#: What an operator sets before prod's first deploy (the committed file leaves it empty, so
#: validating prod fails until then): a real-looking on-call address.
OPERATOR_ALARM_EMAIL = "speech-oncall@emotion-dynamics-ops.com"


def stack_file_values(stack: str) -> dict[str, Any]:
    """``Pulumi.<stack>.yaml``'s config, with prod's alarm address as the operator sets it."""
    values = stack_settings.load_stack_file(REPO / f"Pulumi.{stack}.yaml")
    key = contract.ALARM_EMAIL.full_key
    if (
        stack == "prod"
        and not values.get(key)
        and not values.get(contract.ALARM_TOPIC_ARN.full_key)
    ):
        values[key] = OPERATOR_ALARM_EMAIL
    return values


def engine_config(stack: str) -> dict[str, str]:
    """The config a ``pulumi up`` of ``stack`` would hand the program (all strings)."""
    defaults = {s.full_key: s.schema_default() for s in contract.SETTINGS if ":" not in s.key}
    values = {**defaults, **stack_file_values(stack)}
    return {key: render(value) for key, value in values.items()}


def render(value: Any) -> str:
    """Render a YAML value the way the Pulumi engine passes it to a program."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


@dataclass
class Recorded:
    """One resource the program declared."""

    type: str
    name: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    urn: str


@dataclass
class ProgramRun:
    """Everything one mocked run of the program declared and exported."""

    stack: str
    resources: list[Recorded] = field(default_factory=list)
    exports: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[Recorded]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str) -> Recorded:
        found = self.of_type(type_)
        assert len(found) == 1, f"expected one {type_}, found {[r.name for r in found]}"
        return found[0]


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


class RecordingMocks(pulumi.runtime.Mocks):
    """Mocks that echo inputs as outputs, add the computed ARNs, and record each resource."""

    def __init__(self, run: ProgramRun) -> None:
        self.run = run

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = dict(args.inputs)
        outputs = dict(inputs)
        name = inputs.get("name") or inputs.get("layerName") or args.name
        computed: dict[str, dict[str, Any]] = {
            "aws:cloudwatch/logGroup:LogGroup": {"arn": _arn("logs", f"log-group:{name}")},
            "aws:iam/role:Role": {"arn": f"arn:aws:iam::{ACCOUNT}:role/{name}"},
            "aws:lambda/layerVersion:LayerVersion": {
                "arn": _arn("lambda", f"layer:{name}:1"),
                "layerArn": _arn("lambda", f"layer:{name}"),
                "version": "1",
            },
            "aws:lambda/function:Function": {
                "arn": _arn("lambda", f"function:{name}"),
                "version": "1" if inputs.get("publish") else "$LATEST",
            },
            "aws:lambda/alias:Alias": {
                "arn": _arn("lambda", f"function:{inputs.get('functionName')}:{name}")
            },
            "aws:sns/topic:Topic": {"arn": _arn("sns", name)},
            "aws:cloudwatch/metricAlarm:MetricAlarm": {"arn": _arn("cloudwatch", f"alarm:{name}")},
        }
        outputs.update(computed.get(args.typ, {}))
        urn = f"urn:pulumi:{self.run.stack}::emotion-dynamics::{args.typ}::{args.name}"
        self.run.resources.append(Recorded(args.typ, args.name, inputs, outputs, urn))
        return f"{args.name}-id", outputs

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        return {}, None  # the program makes no provider calls (no data sources)


def run_program(
    stack: str,
    config: Mapping[str, str],
    archives: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> ProgramRun:
    """Run ``pulumi/__main__.py`` under mocks with ``config``; return what it declared."""
    run = ProgramRun(stack)
    monkeypatch.setenv("EMOTION_DYNAMICS_FUNCTION_ZIP", str(archives[0]))
    monkeypatch.setenv("EMOTION_DYNAMICS_LAYER_ZIP", str(archives[1]))
    pulumi.runtime.set_mocks(
        RecordingMocks(run), project="emotion-dynamics", stack=stack, preview=False
    )
    pulumi.runtime.set_all_config(dict(config))
    exported: dict[str, Any] = {}
    monkeypatch.setattr(pulumi, "export", exported.__setitem__)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # the SDK leaves it untyped
    def program() -> pulumi.Output[None]:
        # As the language host does: run the `main:` directory (it goes on sys.path).
        runpy.run_path(str(PULUMI_DIR), run_name="__main__")
        return pulumi.Output.from_input(exported).apply(run.exports.update)

    program()
    return run


def fake_archives(root: Path) -> tuple[Path, Path]:
    """Small stand-in zips in ``root``: the mocked engine never uploads archives."""
    paths = []
    for name in ("function.zip", "layer.zip"):
        path = root / name
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("placeholder.txt", name)
        paths.append(path)
    return paths[0], paths[1]


def parliament_findings(document: Mapping[str, Any]) -> list[str]:
    """What parliament (community auditors included) reports on an IAM policy document."""
    with warnings.catch_warnings():
        # parliament 1.6 imports pkg_resources (hence setuptools<81 in the dev group)
        warnings.simplefilter("ignore", UserWarning)
        import parliament
    analyzed = parliament.analyze_policy_string(
        json.dumps(document), include_community_auditors=True
    )
    return [f"{f.issue} {f.detail} {f.location}" for f in analyzed.findings]
