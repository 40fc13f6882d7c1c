"""The program under Pulumi's mocks, once per stack file: what it declares and exports."""

from __future__ import annotations

import json
from typing import Any

import pytest

from emotion_dynamics import contract
from emotion_dynamics_infra import stack as stack_settings
from tests.infra.infra_harness import (
    ACCOUNT,
    REGION,
    REPO,
    ProgramRun,
    engine_config,
    parliament_findings,
    stack_file_values,
)

FUNCTION = "aws:lambda/function:Function"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ALIAS = "aws:lambda/alias:Alias"
PROVISIONED = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
LAYER = "aws:lambda/layerVersion:LayerVersion"
TOPIC = "aws:sns/topic:Topic"

EXPECTED_SIZING: dict[str, dict[str, Any]] = {
    "dev": {"memorySize": 256, "timeout": 10, "reservedConcurrentExecutions": 4},
    "prod": {"memorySize": 512, "timeout": 10, "reservedConcurrentExecutions": 14},
}
CUSTOM_METRICS = {
    "VolumeDetectionLatency",
    "RateDetectionLatency",
    "SSMLGenerationLatency",
    "PollySynthesisLatency",
    "EndToEndLatency",
    "ErrorCount",
    "FallbackCount",
}


def stack_file(stack: str) -> stack_settings.StackSettings:
    return stack_settings.settings_from_mapping(stack_file_values(stack), stack=stack)


def test_role_is_trusted_by_lambda_only(stack_run: ProgramRun) -> None:
    trust = json.loads(stack_run.one(ROLE).inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Sid": "LambdaAssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ]
    assert "managedPolicyArns" not in stack_run.one(ROLE).inputs


def test_role_policy_exact_actions_and_resources(stack_run: ProgramRun) -> None:
    document = json.loads(stack_run.one(ROLE_POLICY).inputs["policy"])
    granted = {s["Sid"]: (s["Effect"], s["Action"], s["Resource"]) for s in document["Statement"]}
    log_arn = (
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/emotion-dynamics-{stack_run.stack}"
    )
    expected = {
        "SynthesizeSpeech": ("Allow", ["polly:SynthesizeSpeech"], "*"),
        "WriteOwnLogs": (
            "Allow",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [f"{log_arn}:*"],
        ),
    }
    if stack_file(stack_run.stack).enable_xray_tracing:
        expected["WriteTraces"] = (
            "Allow",
            ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
            "*",
        )
    assert granted == expected
    actions = [a for s in document["Statement"] for a in s["Action"]]
    assert "cloudwatch:PutMetricData" not in actions
    assert not any("*" in a for a in actions)


def test_xray_follows_the_flag() -> None:
    # dev traces, prod does not: both branches are exercised by the stack files.
    assert stack_file("dev").enable_xray_tracing
    assert not stack_file("prod").enable_xray_tracing


def test_function_shape(stack_run: ProgramRun) -> None:
    fn = stack_run.one(FUNCTION).inputs
    expected = EXPECTED_SIZING[stack_run.stack]
    assert {k: fn[k] for k in expected} == expected
    assert fn["runtime"] == "python3.12"
    assert fn["architectures"] == ["x86_64"]
    assert fn["handler"] == "handler.lambda_handler"
    assert fn["ephemeralStorage"] == {"size": 512}
    assert fn["name"] == f"emotion-dynamics-{stack_run.stack}"
    assert fn["loggingConfig"]["logGroup"] == f"/aws/lambda/emotion-dynamics-{stack_run.stack}"
    assert fn["role"].endswith(f"role/emotion-dynamics-{stack_run.stack}-execution")
    assert fn["layers"] == [stack_run.one(LAYER).outputs["arn"]]
    tracing = "Active" if stack_file(stack_run.stack).enable_xray_tracing else "PassThrough"
    assert fn["tracingConfig"] == {"mode": tracing}
    assert fn["tags"]["stack"] == stack_run.stack
    assert fn["tags"]["project"] == "emotion-dynamics"
    assert fn["tags"]["owner"] == "speech-team"


def test_no_function_url_or_permission(stack_run: ProgramRun) -> None:
    types = {r.type for r in stack_run.resources}
    assert "aws:lambda/functionUrl:FunctionUrl" not in types
    assert "aws:lambda/permission:Permission" not in types


def test_layer_matches_runtime_and_architecture(stack_run: ProgramRun) -> None:
    layer = stack_run.one(LAYER).inputs
    assert layer["compatibleRuntimes"] == ["python3.12"]
    assert layer["compatibleArchitectures"] == ["x86_64"]
    assert layer["sourceCodeHash"]


def test_every_environment_variable(stack_run: ProgramRun) -> None:
    env = stack_run.one(FUNCTION).inputs["environment"]["variables"]
    config = engine_config(stack_run.stack)
    expected = {}
    for setting in contract.LAMBDA_SETTINGS:
        if setting.env is not None and not setting.set_by_lambda:
            expected[setting.env] = config[setting.full_key]
    expected |= {
        "POWERTOOLS_SERVICE_NAME": f"emotion-dynamics-{stack_run.stack}",
        "POWERTOOLS_METRICS_NAMESPACE": "EmotionDynamics",
        "POWERTOOLS_LOG_LEVEL": config["emotion-dynamics:logLevel"],
        "POWERTOOLS_LOGGER_LOG_EVENT": "false",
        "POWERTOOLS_TRACE_DISABLED": "false" if stack_run.stack == "dev" else "true",
    }
    assert env == expected
    assert "AWS_REGION" not in env  # reserved by Lambda
    # The seven thresholds reach the Lambda verbatim, as the notebook wrote them.
    assert env["VOLUME_LOUD_THRESHOLD"] == config["emotion-dynamics:volumeLoudThreshold"]
    assert env["RATE_FAST_THRESHOLD"] == config["emotion-dynamics:rateFastThreshold"]


def test_log_group_has_retention(stack_run: ProgramRun) -> None:
    group = stack_run.one(LOG_GROUP).inputs
    assert group["name"] == f"/aws/lambda/emotion-dynamics-{stack_run.stack}"
    assert group["retentionInDays"] == {"dev": 14, "prod": 90}[stack_run.stack]


def _alarms(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return {
        r.inputs["name"].removeprefix(f"emotion-dynamics-{run.stack}-"): r.inputs
        for r in run.of_type(ALARM)
    }


def test_alarms_and_thresholds(stack_run: ProgramRun) -> None:
    alarms = _alarms(stack_run)
    service = {"service": f"emotion-dynamics-{stack_run.stack}"}
    fn_dim = {"FunctionName": f"emotion-dynamics-{stack_run.stack}"}
    assert set(alarms) == {
        "latency-p95",
        "error-count",
        "fallback-count",
        "lambda-errors",
        "throttles",
    }
    latency = alarms["latency-p95"]
    assert (latency["namespace"], latency["metricName"], latency["dimensions"]) == (
        "EmotionDynamics",
        "EndToEndLatency",
        service,
    )
    assert latency["extendedStatistic"] == "p95"
    assert "statistic" not in latency
    assert (latency["threshold"], latency["period"], latency["evaluationPeriods"]) == (1000, 300, 2)
    errors = alarms["error-count"]
    assert (errors["namespace"], errors["metricName"], errors["dimensions"]) == (
        "EmotionDynamics",
        "ErrorCount",
        service,
    )
    assert (errors["statistic"], errors["threshold"]) == ("Sum", 10)
    fallback = alarms["fallback-count"]
    assert (fallback["metricName"], fallback["dimensions"], fallback["statistic"]) == (
        "FallbackCount",
        service,
        "Sum",
    )
    assert fallback["threshold"] == 10
    for short, metric in (("lambda-errors", "Errors"), ("throttles", "Throttles")):
        alarm = alarms[short]
        assert (alarm["namespace"], alarm["metricName"], alarm["dimensions"]) == (
            "AWS/Lambda",
            metric,
            fn_dim,
        )
    assert alarms["lambda-errors"]["threshold"] == {"dev": 5, "prod": 0}[stack_run.stack]
    assert alarms["throttles"]["threshold"] == 0
    for alarm in alarms.values():
        assert alarm["comparisonOperator"] == "GreaterThanThreshold"


def test_alarm_actions_only_where_configured(stack_run: ProgramRun) -> None:
    alarms = _alarms(stack_run)
    if stack_run.stack == "prod":
        topic_arn = stack_run.one(TOPIC).outputs["arn"]
        assert all(a["alarmActions"] == [topic_arn] for a in alarms.values())
        sub = stack_run.one("aws:sns/topicSubscription:TopicSubscription").inputs
        assert (sub["protocol"], sub["endpoint"]) == (
            "email",
            stack_file_values("prod")["emotion-dynamics:alarmEmail"],
        )
    else:
        assert stack_run.of_type(TOPIC) == []
        assert all(not a.get("alarmActions") for a in alarms.values())


def test_dashboard_shows_the_seven_custom_metrics(stack_run: ProgramRun) -> None:
    body = json.loads(stack_run.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    shown = {
        m[1]
        for w in body["widgets"]
        for m in w["properties"]["metrics"]
        if m[0] == "EmotionDynamics"
    }
    assert shown == CUSTOM_METRICS
    assert all(w["properties"]["region"] == REGION for w in body["widgets"])


def test_every_deploy_publishes_and_the_alias_follows(stack_run: ProgramRun) -> None:
    # GIVEN liveVersion empty in both stack files, THEN the function publishes a version and
    # the `live` alias points at exactly that version (the mock publishes version "1").
    fn = stack_run.one(FUNCTION)
    assert fn.inputs["publish"] is True
    alias = stack_run.one(ALIAS).inputs
    assert (alias["name"], alias["functionName"]) == ("live", fn.inputs["name"])
    assert alias["functionVersion"] == fn.outputs["version"] == "1"


def test_prod_alone_keeps_the_alias_warm(program_runs: dict[str, ProgramRun]) -> None:
    prod, dev = program_runs["prod"], program_runs["dev"]
    provisioned = prod.one(PROVISIONED).inputs
    assert (provisioned["qualifier"], provisioned["provisionedConcurrentExecutions"]) == ("live", 2)
    assert dev.of_type(PROVISIONED) == []


@pytest.mark.parametrize("version", ["3", "17"])
def test_live_version_moves_the_alias(run_with_config: Any, version: str) -> None:
    # GIVEN prod with liveVersion set (a rollback), WHEN the program runs
    run = run_with_config("prod", engine_config("prod") | {"emotion-dynamics:liveVersion": version})
    # THEN the function still publishes this deploy's version, but the alias (and the
    # provisioned concurrency on it) stays on the pinned one
    assert run.one(FUNCTION).inputs["publish"] is True
    assert run.one(ALIAS).inputs["functionVersion"] == version
    assert run.one(PROVISIONED).inputs["qualifier"] == "live"
    assert run.exports["liveVersion"] == version
    assert run.exports["publishedVersion"] == "1"


def test_caller_policy_invokes_the_alias_only(stack_run: ProgramRun) -> None:
    out = stack_run.exports
    policy = out["callerPolicy"]
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "InvokeLiveAlias",
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": [out["aliasArn"]],
            }
        ],
    }
    # the alias's ARN, never the bare function (that would grant $LATEST and every version)
    assert out["aliasArn"].endswith(":live") and out["aliasArn"] != out["functionArn"]
    assert parliament_findings(policy) == []


def test_stack_outputs(stack_run: ProgramRun) -> None:
    out = stack_run.exports
    name = f"emotion-dynamics-{stack_run.stack}"
    assert out["functionName"] == name
    assert out["functionArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    assert out["layerArn"] == stack_run.one(LAYER).outputs["arn"]
    assert out["logGroupName"] == f"/aws/lambda/{name}"
    assert out["alarmNames"] == [
        f"{name}-{s}"
        for s in ("latency-p95", "error-count", "fallback-count", "lambda-errors", "throttles")
    ]
    raw = stack_settings.load_stack_file(REPO / f"Pulumi.{stack_run.stack}.yaml")
    assert out["thresholds"] == {
        key: float(raw[f"emotion-dynamics:{key}"])
        for key in (
            "volumeSoftThreshold",
            "volumeMediumThreshold",
            "volumeLoudThreshold",
            "rateVerySlowThreshold",
            "rateSlowThreshold",
            "rateMediumThreshold",
            "rateFastThreshold",
        )
    }
    assert out["aliasArn"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:live"
    assert (out["publishedVersion"], out["liveVersion"]) == ("1", "1")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("volumeLoudThreshold", "loud", "expected a number, given 'loud'"),
        (
            "volumeLoudThreshold",
            "-25",
            "must be greater than emotion-dynamics:volumeMediumThreshold",
        ),
        ("rateSlowThreshold", "90", "must be greater than emotion-dynamics:rateVerySlowThreshold"),
        ("memorySize", "64", "expected an integer in [128, 10240], given 64"),
        ("memorySize", "20000", "expected an integer in [128, 10240]"),
        ("runtime", "python3.9", "expected one of python3.11"),
        ("architecture", "ppc64le", "expected one of x86_64, arm64"),
        ("timeout", "5", "must exceed"),
        ("minStabilityThreshold", "1.5", "expected a number in [0, 1]"),
        ("liveVersion", "latest", "expected a published version number such as 7"),
    ],
)
def test_invalid_config_stops_before_any_resource(
    run_with_config: Any, key: str, value: str, message: str
) -> None:
    config = engine_config("dev") | {f"emotion-dynamics:{key}": value}
    with pytest.raises(stack_settings.StackConfigError, match=f"^emotion-dynamics:{key}: ") as info:
        run_with_config("dev", config)
    assert message in str(info.value)
    recorded = info.value  # the program stopped at validation:
    assert recorded.key == f"emotion-dynamics:{key}"


def test_invalid_config_declares_nothing(
    run_with_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.infra import infra_harness

    runs: list[ProgramRun] = []
    original = infra_harness.ProgramRun

    def capture(stack: str) -> ProgramRun:
        run = original(stack)
        runs.append(run)
        return run

    monkeypatch.setattr(infra_harness, "ProgramRun", capture)
    config = engine_config("prod") | {"emotion-dynamics:rateFastThreshold": "150"}
    with pytest.raises(stack_settings.StackConfigError, match="rateFastThreshold"):
        run_with_config("prod", config)
    assert runs and runs[0].resources == []
