"""Least privilege, recorded from the mocked Pulumi program for the dev and prod stacks.

GIVEN the program run under Pulumi mocks with each stack file's config (the infra tier's
machinery, ``tests/infra/conftest.py``), THEN the execution role allows exactly the AWS
actions the function's code calls (found by reading the code, not by trusting iam.py), on
the narrowest resources AWS supports; parliament finds nothing; and nothing exposes the
function: no function URL, no resource policy (``lambda.Permission``), no managed policy.
A random invalid stack value stops the program with a message naming the key.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hardening.figures import record
from tests.infra import infra_harness as infra
from tests.infra.infra_harness import fake_archives, parliament_findings

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lambda" / "emotion_dynamics"
STACKS = ("dev", "prod")

#: What the Lambda runtime itself needs to write the function's logs (not calls in our code).
RUNTIME_LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}
#: Written by the runtime's X-Ray daemon when active tracing is on.
XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
#: Actions whose service offers no narrower resource for how we call them (no lexicons used,
#: X-Ray writes have no resource-level permissions).
STAR_ALLOWED = {"polly:SynthesizeSpeech", *XRAY_ACTIONS}
EXPOSING_TYPES = {
    "aws:lambda/functionUrl:FunctionUrl",
    "aws:lambda/permission:Permission",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:apigateway/restApi:RestApi",
    "aws:apigatewayv2/api:Api",
    "aws:lb/loadBalancer:LoadBalancer",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    archives = fake_archives(tmp_path_factory.mktemp("archives"))
    out: dict[str, Any] = {}
    with pytest.MonkeyPatch.context() as mp:
        for stack in STACKS:
            out[stack] = infra.run_program(stack, infra.engine_config(stack), archives, mp)
    yield out


def actions_called_by_the_code() -> set[str]:
    """IAM actions for every AWS client method the Lambda package calls (read from its AST)."""
    services: set[str] = set()
    methods: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            # client construction: ``boto3.client("polly")``, ``session.client("polly")``,
            # ``botocore_session.create_client("polly", ...)``
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("client", "create_client")
                and node.args
            ):
                assert isinstance(node.args[0], ast.Constant), ast.dump(node)  # no dynamic services
                services.add(str(node.args[0].value))
            # calls through a client object: ``<...>.client.<method>(...)`` or ``client.<method>``
            if isinstance(func, ast.Attribute):
                owner = func.value
                owner_name = (
                    owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                )
                if owner_name == "client":
                    methods.add(func.attr)
    actions: set[str] = set()
    session = boto3.session.Session(
        aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1"
    )
    for service in services:
        client = session.client(service)  # type: ignore[call-overload]
        prefix = client.meta.service_model.signing_name
        for method in methods & set(client.meta.method_to_api_mapping):
            actions.add(f"{prefix}:{client.meta.method_to_api_mapping[method]}")
    return actions


def policy_of(run: Any) -> dict[str, Any]:
    policies = run.of_type("aws:iam/rolePolicy:RolePolicy")
    assert len(policies) == 1, [p.name for p in policies]
    return dict(json.loads(policies[0].inputs["policy"]))


def as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_the_code_calls_only_polly_synthesize_speech() -> None:
    assert actions_called_by_the_code() == {"polly:SynthesizeSpeech"}


@pytest.mark.parametrize("stack", STACKS)
def test_role_allows_exactly_the_actions_used(runs: dict[str, Any], stack: str) -> None:
    run = runs[stack]
    document = policy_of(run)
    statements = document["Statement"]
    assert all(s["Effect"] == "Allow" for s in statements)
    assert not any("NotAction" in s or "NotResource" in s or "Principal" in s for s in statements)
    granted = {action for s in statements for action in as_list(s["Action"])}
    tracing = run.one("aws:lambda/function:Function").inputs["tracingConfig"]["mode"] == "Active"
    expected = (
        actions_called_by_the_code() | RUNTIME_LOG_ACTIONS | (XRAY_ACTIONS if tracing else set())
    )
    assert granted == expected
    assert not any("*" in action or "?" in action for action in granted)
    record(
        f"least_privilege:{stack}",
        actions=sorted(granted),
        xray=tracing,
        statements=len(statements),
    )


@pytest.mark.parametrize("stack", STACKS)
def test_resources_are_the_narrowest_aws_supports(runs: dict[str, Any], stack: str) -> None:
    run = runs[stack]
    log_group = run.one("aws:cloudwatch/logGroup:LogGroup")
    function = run.one("aws:lambda/function:Function")
    assert function.inputs["loggingConfig"]["logGroup"] == log_group.inputs["name"]
    assert log_group.inputs["name"] == f"/aws/lambda/emotion-dynamics-{stack}"
    for statement in policy_of(run)["Statement"]:
        actions, resources = as_list(statement["Action"]), as_list(statement["Resource"])
        if set(actions) <= RUNTIME_LOG_ACTIONS:
            # this function's own log group (its streams), in this account and region only
            assert resources == [f"{log_group.outputs['arn']}:*"]
        else:
            assert set(actions) <= STAR_ALLOWED, actions
            assert resources == ["*"]
        assert "Condition" not in statement or statement["Condition"]


@pytest.mark.parametrize("stack", STACKS)
def test_parliament_has_no_findings(runs: dict[str, Any], stack: str) -> None:
    findings = parliament_findings(policy_of(runs[stack]))
    assert findings == []
    record(f"least_privilege:{stack}", parliament_findings=len(findings))


def test_parliament_is_not_silently_broken() -> None:
    bad = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    assert parliament_findings(bad)


@pytest.mark.parametrize("stack", STACKS)
def test_nothing_exposes_the_function(runs: dict[str, Any], stack: str) -> None:
    run = runs[stack]
    types_declared = {r.type for r in run.resources}
    assert not types_declared & EXPOSING_TYPES, types_declared & EXPOSING_TYPES
    assert not any("functionUrl" in t or "permission:Permission" in t for t in types_declared)
    role = run.one("aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "lambda.amazonaws.com"}]
    assert [as_list(s["Action"]) for s in trust["Statement"]] == [["sts:AssumeRole"]]
    assert not role.inputs.get("managedPolicyArns")
    assert not role.inputs.get("inlinePolicies")
    env = run.one("aws:lambda/function:Function").inputs["environment"]["variables"]
    assert "AWS_REGION" not in env
    assert not any(k.startswith("AWS_ACCESS") or "SECRET" in k for k in env)
    record(f"least_privilege:{stack}", resource_types=sorted(types_declared))


@pytest.mark.parametrize("stack", STACKS)
def test_lambda_logging_config_keeps_the_root_logger_above_debug(
    runs: dict[str, Any], stack: str
) -> None:
    """With JSON log format, Lambda sets the root logger to the application log level; at
    DEBUG botocore would then log every request body, which holds the user's text."""
    logging_config = (
        runs[stack].one("aws:lambda/function:Function").inputs.get("loggingConfig") or {}
    )
    if logging_config.get("logFormat", "Text") == "JSON":
        assert logging_config.get("applicationLogLevel", "INFO") not in ("TRACE", "DEBUG")
    record(f"least_privilege:{stack}", lambda_log_format=logging_config.get("logFormat", "Text"))


# --- invalid stack config stops the program, naming the key ------------------------------------

BAD_VALUES: dict[str, st.SearchStrategy[str]] = {
    "maxRetries": st.sampled_from(["eleven", "-1", "11", "2.5", "nan"]),
    "memorySize": st.sampled_from(["64", "lots", "99999", "1e3"]),
    "volumeLoudThreshold": st.sampled_from(["-25", "5", "loud", "inf"]),
    "pollyEngine": st.sampled_from(["turbo", "NEURAL", "neural2"]),
    "logRetentionDays": st.sampled_from(["0", "8", "forever"]),
    "timeout": st.sampled_from(["5", "0", "901", "ten"]),
    "enableSsml": st.sampled_from(["maybe", "2"]),
    "alarmEmail": st.sampled_from(["oncall", "a@b"]),
    "voiceId": st.sampled_from(["Jo anna", "<speak>"]),
}


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(key=st.sampled_from(sorted(BAD_VALUES)), data=st.data())
def test_invalid_stack_config_stops_the_program_naming_the_key(
    key: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    value = data.draw(BAD_VALUES[key], label="value")
    archives = fake_archives(tmp_path_factory.mktemp("archives"))
    config = {**infra.engine_config("dev"), f"emotion-dynamics:{key}": value}
    with pytest.MonkeyPatch.context() as mp, pytest.raises(Exception) as caught:
        infra.run_program("dev", config, archives, mp)
    # raised by the config check (settings.StackConfigError), before any resource is declared
    assert type(caught.value).__name__ == "StackConfigError", repr(caught.value)
    assert f"emotion-dynamics:{key}" in str(caught.value), str(caught.value)
