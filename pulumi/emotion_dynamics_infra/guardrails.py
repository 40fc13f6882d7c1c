"""Validators of the emotion-dynamics policy pack (pure functions over policy args).

Resource policies:

- ``no-wildcard-iam-actions``: no IAM policy (inline, managed or role inline) allows an action
  containing ``*`` or uses ``NotAction``;
- ``log-group-retention``: every CloudWatch log group has a retention;
- ``lambda-memory-timeout-bounds``: every function sets memory and timeout explicitly, within
  this workload's bounds (128..3008 MB, 1..30 s by default; policy config can change them).

Stack policies (for stacks matching ``prodStacks``, default ``prod``, ``production``,
``prod-*``, ``production-*``; the stack name is read from the resources' URNs):

- ``prod-alarms-have-actions``: the stack has alarms, and every alarm has an alarm action;
- ``prod-alarm-recipient``: no e-mail subscription goes to a placeholder address
  (``example.com``, ``*.test``, ...: :mod:`.production`);
- ``prod-provisioned-concurrency``: a function alias has provisioned concurrency of at least 1.

Messages name the stack key to change (``emotion-dynamics:alarmEmail``, ...).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from emotion_dynamics.contract import ALARM_EMAIL, ALARM_TOPIC_ARN, PROVISIONED_CONCURRENCY
from emotion_dynamics_infra.production import PRODUCTION_STACKS, is_production, placeholder_domain

__all__ = [
    "POLICIES",
    "check_lambda_bounds",
    "check_log_retention",
    "check_no_wildcard_actions",
    "check_prod_alarm_actions",
    "check_prod_alarm_recipient",
    "check_prod_provisioned_concurrency",
    "wildcard_actions",
]

IAM_POLICY_TYPES: Final = frozenset(
    {"aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy",
     "aws:iam/groupPolicy:GroupPolicy"}
)  # fmt: skip
ROLE_TYPE: Final = "aws:iam/role:Role"
LOG_GROUP_TYPE: Final = "aws:cloudwatch/logGroup:LogGroup"
FUNCTION_TYPE: Final = "aws:lambda/function:Function"
ALARM_TYPE: Final = "aws:cloudwatch/metricAlarm:MetricAlarm"
PROVISIONED_TYPE: Final = "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig"
SUBSCRIPTION_TYPE: Final = "aws:sns/topicSubscription:TopicSubscription"

DEFAULTS: Final[Mapping[str, Any]] = {
    "minMemoryMb": 128,
    "maxMemoryMb": 3008,
    "minTimeoutSeconds": 1,
    "maxTimeoutSeconds": 30,
    "prodStacks": list(PRODUCTION_STACKS),
}


def _config(args: ResourceValidationArgs | StackValidationArgs, key: str) -> Any:
    value = args.get_config().get(key)
    return DEFAULTS[key] if value is None else value


def _document(policy: Any) -> Mapping[str, Any] | None:
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except json.JSONDecodeError:
            return None
    return policy if isinstance(policy, Mapping) else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def wildcard_actions(document: Mapping[str, Any]) -> list[str]:
    """Problems of one policy document: wildcard actions and NotAction statements."""
    problems: list[str] = []
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, Mapping):
            continue
        if "NotAction" in statement:
            problems.append(f"NotAction {statement['NotAction']!r}")
        problems.extend(
            f"action {action!r}"
            for action in _as_list(statement.get("Action"))
            if isinstance(action, str) and "*" in action
        )
    return problems


def _iam_documents(args: ResourceValidationArgs) -> Iterable[Mapping[str, Any] | None]:
    if args.resource_type in IAM_POLICY_TYPES:
        yield _document(args.props.get("policy"))
    elif args.resource_type == ROLE_TYPE:
        for inline in _as_list(args.props.get("inlinePolicies")):
            if isinstance(inline, Mapping) and inline.get("policy") is not None:
                yield _document(inline["policy"])


def check_no_wildcard_actions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """IAM policies must name each action: no ``*``, no ``service:*``, no ``NotAction``."""
    for document in _iam_documents(args):
        if document is None:
            continue  # unknown during preview, or not JSON: the provider will reject it
        for problem in wildcard_actions(document):
            report(f"{args.name}: IAM policy allows {problem}; name each action", None)


def check_log_retention(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Log groups must expire their logs."""
    if args.resource_type != LOG_GROUP_TYPE:
        return
    retention = args.props.get("retentionInDays")
    if not retention or retention <= 0:
        report(f"{args.name}: log group has no retention (retentionInDays)", None)


def check_lambda_bounds(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Functions set memory and timeout explicitly, within this workload's bounds."""
    if args.resource_type != FUNCTION_TYPE:
        return
    bounds = {
        "memorySize": (_config(args, "minMemoryMb"), _config(args, "maxMemoryMb"), "MB"),
        "timeout": (_config(args, "minTimeoutSeconds"), _config(args, "maxTimeoutSeconds"), "s"),
    }
    for prop, (low, high, unit) in bounds.items():
        value = args.props.get(prop)
        if value is None:
            report(f"{args.name}: {prop} must be set explicitly ({low}..{high} {unit})", None)
        elif not low <= value <= high:
            report(f"{args.name}: {prop} {value:g} {unit} outside {low}..{high} {unit}", None)


def _stack_name(args: StackValidationArgs) -> str | None:
    for resource in args.resources:
        parts = resource.urn.split("::")
        if parts and parts[0].startswith("urn:pulumi:"):
            return parts[0].removeprefix("urn:pulumi:")
    return None


def _is_prod(args: StackValidationArgs) -> bool:
    name = _stack_name(args)
    return name is not None and is_production(name, _config(args, "prodStacks"))


def check_prod_alarm_actions(args: StackValidationArgs, report: ReportViolation) -> None:
    """A prod stack has alarms, and each one notifies someone."""
    if not _is_prod(args):
        return
    alarms = [r for r in args.resources if r.resource_type == ALARM_TYPE]
    if not alarms:
        report("production stack declares no CloudWatch alarms", None)
    for alarm in alarms:
        if not _as_list(alarm.props.get("alarmActions")):
            report(
                f"{alarm.name}: production alarm has no alarm actions (set "
                f"{ALARM_EMAIL.full_key} or {ALARM_TOPIC_ARN.full_key})",
                alarm.urn,
            )


def check_prod_alarm_recipient(args: StackValidationArgs, report: ReportViolation) -> None:
    """A prod stack's alarm e-mail goes to a real address, not a documentation placeholder."""
    if not _is_prod(args):
        return
    for sub in args.resources:
        if sub.resource_type != SUBSCRIPTION_TYPE or sub.props.get("protocol") != "email":
            continue
        endpoint = str(sub.props.get("endpoint") or "")
        domain = placeholder_domain(endpoint)
        if domain is not None:
            report(
                f"{ALARM_EMAIL.full_key}: {endpoint!r} is a placeholder address ({domain} is "
                "reserved); production alarms would notify nobody",
                sub.urn,
            )


def check_prod_provisioned_concurrency(args: StackValidationArgs, report: ReportViolation) -> None:
    """A prod stack keeps its function warm with provisioned concurrency on an alias."""
    if not _is_prod(args):
        return
    configs = [r for r in args.resources if r.resource_type == PROVISIONED_TYPE]
    if not any((c.props.get("provisionedConcurrentExecutions") or 0) >= 1 for c in configs):
        report(
            "production stack has no provisioned concurrency (alias + >= 1 execution; "
            f"set {PROVISIONED_CONCURRENCY.full_key})",
            None,
        )


_BOUNDS_SCHEMA: Final = PolicyConfigSchema(
    properties={
        "minMemoryMb": {"type": "integer", "default": DEFAULTS["minMemoryMb"]},
        "maxMemoryMb": {"type": "integer", "default": DEFAULTS["maxMemoryMb"]},
        "minTimeoutSeconds": {"type": "integer", "default": DEFAULTS["minTimeoutSeconds"]},
        "maxTimeoutSeconds": {"type": "integer", "default": DEFAULTS["maxTimeoutSeconds"]},
    }
)
_PROD_SCHEMA: Final = PolicyConfigSchema(
    properties={
        "prodStacks": {
            "type": "array",
            "items": {"type": "string"},
            "default": DEFAULTS["prodStacks"],
        }
    }
)

POLICIES: Final = (
    ResourceValidationPolicy(
        name="no-wildcard-iam-actions",
        description="IAM policies name each action; no wildcards, no NotAction.",
        validate=check_no_wildcard_actions,
    ),
    ResourceValidationPolicy(
        name="log-group-retention",
        description="Every CloudWatch log group has a retention.",
        validate=check_log_retention,
    ),
    ResourceValidationPolicy(
        name="lambda-memory-timeout-bounds",
        description="Lambda memory and timeout are set and within this workload's bounds.",
        validate=check_lambda_bounds,
        config_schema=_BOUNDS_SCHEMA,
    ),
    StackValidationPolicy(
        name="prod-alarms-have-actions",
        description="Production stacks have alarms, each with an alarm action.",
        validate=check_prod_alarm_actions,
        config_schema=_PROD_SCHEMA,
    ),
    StackValidationPolicy(
        name="prod-alarm-recipient",
        description="Production alarm e-mails go to a real address, not a placeholder domain.",
        validate=check_prod_alarm_recipient,
        config_schema=_PROD_SCHEMA,
    ),
    StackValidationPolicy(
        name="prod-provisioned-concurrency",
        description="Production stacks have provisioned concurrency on an alias.",
        validate=check_prod_provisioned_concurrency,
        config_schema=_PROD_SCHEMA,
    ),
)
