"""The policy pack's validators over what the mocked program declares for each stack."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)

from emotion_dynamics_infra import guardrails
from tests.infra.infra_harness import STACKS, ProgramRun, Recorded

OPTS = PolicyResourceOptions(
    protect=False,
    ignore_changes=[],
    delete_before_replace=None,
    aliases=[],
    custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
    additional_secret_outputs=[],
)
RESOURCE_CHECKS = (
    guardrails.check_no_wildcard_actions,
    guardrails.check_log_retention,
    guardrails.check_lambda_bounds,
)
STACK_CHECKS = (
    guardrails.check_prod_alarm_actions,
    guardrails.check_prod_alarm_recipient,
    guardrails.check_prod_provisioned_concurrency,
)


def _resource_args(r: Recorded) -> ResourceValidationArgs:
    return ResourceValidationArgs(r.type, r.outputs, r.urn, r.name, OPTS, None)


def _stack_args(resources: list[Recorded]) -> StackValidationArgs:
    return StackValidationArgs(
        [
            PolicyResource(r.type, r.outputs, r.urn, r.name, OPTS, None, None, [], {})
            for r in resources
        ]
    )


def _violations(check: Callable[[Any, Any], None], args: Any) -> list[str]:
    found: list[str] = []
    check(args, lambda message, urn=None: found.append(message))
    return found


def run_pack(resources: list[Recorded]) -> list[str]:
    found = [
        v
        for r in resources
        for check in RESOURCE_CHECKS
        for v in _violations(check, _resource_args(r))
    ]
    return found + [v for check in STACK_CHECKS for v in _violations(check, _stack_args(resources))]


@pytest.mark.parametrize("stack", STACKS)
def test_both_stacks_pass_the_pack(stack: str, program_runs: dict[str, ProgramRun]) -> None:
    assert run_pack(program_runs[stack].resources) == []


def test_pack_declares_every_policy() -> None:
    assert [p.name for p in guardrails.POLICIES] == [
        "no-wildcard-iam-actions",
        "log-group-retention",
        "lambda-memory-timeout-bounds",
        "prod-alarms-have-actions",
        "prod-alarm-recipient",
        "prod-provisioned-concurrency",
    ]


def _edited(run: ProgramRun, type_: str, **props: Any) -> list[Recorded]:
    return [
        replace(r, outputs={**r.outputs, **props}) if r.type == type_ else r for r in run.resources
    ]


def test_wildcard_actions_are_caught(program_runs: dict[str, ProgramRun]) -> None:
    run = program_runs["dev"]
    policy = json.loads(run.one("aws:iam/rolePolicy:RolePolicy").outputs["policy"])
    policy["Statement"][0]["Action"] = ["polly:*"]
    policy["Statement"].append({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    found = run_pack(_edited(run, "aws:iam/rolePolicy:RolePolicy", policy=json.dumps(policy)))
    assert found == [
        "execution-policy: IAM policy allows action 'polly:*'; name each action",
        "execution-policy: IAM policy allows NotAction 'iam:*'; name each action",
    ]


def test_role_inline_wildcards_are_caught() -> None:
    args = ResourceValidationArgs(
        "aws:iam/role:Role",
        {
            "inlinePolicies": [
                {
                    "name": "x",
                    "policy": json.dumps(
                        {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
                    ),
                }
            ]
        },
        "urn:pulumi:dev::p::aws:iam/role:Role::r",
        "r",
        OPTS,
        None,
    )
    assert _violations(guardrails.check_no_wildcard_actions, args) == [
        "r: IAM policy allows action '*'; name each action"
    ]


def test_missing_retention_is_caught(program_runs: dict[str, ProgramRun]) -> None:
    run = program_runs["dev"]
    assert run_pack(_edited(run, "aws:cloudwatch/logGroup:LogGroup", retentionInDays=None)) == [
        "log-group: log group has no retention (retentionInDays)"
    ]


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"memorySize": 4096}, "function: memorySize 4096 MB outside 128..3008 MB"),
        ({"timeout": 60}, "function: timeout 60 s outside 1..30 s"),
        ({"timeout": None}, "function: timeout must be set explicitly (1..30 s)"),
    ],
)
def test_lambda_bounds_are_enforced(
    program_runs: dict[str, ProgramRun], props: dict[str, Any], message: str
) -> None:
    assert run_pack(_edited(program_runs["dev"], "aws:lambda/function:Function", **props)) == [
        message
    ]


def test_bounds_follow_policy_config() -> None:
    args = ResourceValidationArgs(
        "aws:lambda/function:Function",
        {"memorySize": 4096, "timeout": 10},
        "urn:pulumi:dev::p::aws:lambda/function:Function::f",
        "f",
        OPTS,
        None,
        config={"maxMemoryMb": 8192},
    )
    assert _violations(guardrails.check_lambda_bounds, args) == []


def test_prod_alarms_without_actions_are_caught(program_runs: dict[str, ProgramRun]) -> None:
    run = program_runs["prod"]
    found = run_pack(_edited(run, "aws:cloudwatch/metricAlarm:MetricAlarm", alarmActions=[]))
    assert len(found) == 5
    assert all(
        f.endswith(
            "production alarm has no alarm actions (set emotion-dynamics:alarmEmail or "
            "emotion-dynamics:alarmTopicArn)"
        )
        for f in found
    )


SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


@pytest.mark.parametrize(
    ("address", "domain"),
    [
        ("someone@example.com", "example.com"),
        ("oncall@team.example.org", "example.org"),
        ("ops@EXAMPLE.NET", "example.net"),
        ("alerts@speech.test", "test"),
        ("alerts@nowhere.invalid", "invalid"),
        ("root@box.localhost", "localhost"),
    ],
)
def test_prod_placeholder_alarm_email_is_caught(
    program_runs: dict[str, ProgramRun], address: str, domain: str
) -> None:
    # GIVEN prod's e-mail subscription pointed at a placeholder address (the stack validation
    # refuses it first; the pack is the second line, e.g. for a stack built another way)
    found = run_pack(_edited(program_runs["prod"], SUBSCRIPTION, endpoint=address))
    # THEN the pack names the key to change
    assert found == [
        f"emotion-dynamics:alarmEmail: {address!r} is a placeholder address ({domain} is "
        "reserved); production alarms would notify nobody"
    ]


def test_prod_real_alarm_email_and_dev_placeholders_pass(
    program_runs: dict[str, ProgramRun],
) -> None:
    prod = program_runs["prod"]
    assert prod.one(SUBSCRIPTION).outputs["endpoint"].endswith("@emotion-dynamics-ops.com")
    assert run_pack(prod.resources) == []
    # a dev stack is not production: its (absent) recipient is not the pack's concern
    args = _stack_args(
        [replace(r, urn=r.urn.replace("urn:pulumi:prod::", "urn:pulumi:dev::"))
         for r in _edited(prod, SUBSCRIPTION, endpoint="someone@example.com")]
    )  # fmt: skip
    assert _violations(guardrails.check_prod_alarm_recipient, args) == []


@pytest.mark.parametrize("stack", ["prod", "production", "prod-eu", "production-west"])
def test_production_stack_names(program_runs: dict[str, ProgramRun], stack: str) -> None:
    renamed = [
        replace(r, urn=r.urn.replace("urn:pulumi:prod::", f"urn:pulumi:{stack}::"))
        for r in _edited(program_runs["prod"], SUBSCRIPTION, endpoint="a@example.com")
    ]
    assert _violations(guardrails.check_prod_alarm_recipient, _stack_args(renamed))


def test_prod_without_alarms_or_warmth_is_caught(program_runs: dict[str, ProgramRun]) -> None:
    run = program_runs["prod"]
    kept = [
        r
        for r in run.resources
        if r.type
        not in {
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig",
        }
    ]
    assert run_pack(kept) == [
        "production stack declares no CloudWatch alarms",
        "production stack has no provisioned concurrency (alias + >= 1 execution; set "
        "emotion-dynamics:provisionedConcurrency)",
    ]


def test_dev_needs_neither_actions_nor_warmth(program_runs: dict[str, ProgramRun]) -> None:
    dev = program_runs["dev"]
    assert dev.of_type("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig") == []
    assert run_pack(dev.resources) == []


def test_dev_stack_treated_as_prod_when_configured(program_runs: dict[str, ProgramRun]) -> None:
    args = StackValidationArgs(
        _stack_args(program_runs["dev"].resources).resources, config={"prodStacks": ["dev"]}
    )
    assert _violations(guardrails.check_prod_provisioned_concurrency, args)
    assert _violations(guardrails.check_prod_alarm_actions, args)
