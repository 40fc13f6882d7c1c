"""The function's execution role: trusted by Lambda, allowed exactly what the code does.

- ``polly:SynthesizeSpeech`` (Polly has no resource-level scoping without lexicons);
- ``logs:CreateLogStream`` and ``logs:PutLogEvents`` on the function's own log group only
  (the group is managed by the stack, so no ``logs:CreateLogGroup``);
- X-Ray writes only when tracing is enabled;
- no ``cloudwatch:PutMetricData``: EMF metrics are log lines that CloudWatch extracts.

And the policy a caller needs (:func:`caller_policy`, the stack output ``callerPolicy``):
``lambda:InvokeFunction`` on the ``live`` alias only.
"""

from __future__ import annotations

import json
from typing import Any, Final

import pulumi_aws as aws

import pulumi
from emotion_dynamics_infra.stack import StackSettings

__all__ = [
    "INVOKE_ACTIONS",
    "LOG_ACTIONS",
    "POLLY_ACTIONS",
    "XRAY_ACTIONS",
    "assume_role_policy",
    "caller_policy",
    "create_role",
    "execution_policy",
]

POLLY_ACTIONS: Final = ("polly:SynthesizeSpeech",)
LOG_ACTIONS: Final = ("logs:CreateLogStream", "logs:PutLogEvents")
XRAY_ACTIONS: Final = ("xray:PutTelemetryRecords", "xray:PutTraceSegments")
INVOKE_ACTIONS: Final = ("lambda:InvokeFunction",)


def assume_role_policy() -> dict[str, Any]:
    """Trust policy: only the Lambda service may assume the role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "LambdaAssumeRole",
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def execution_policy(log_group_arn: str, *, xray: bool) -> dict[str, Any]:
    """The role's inline policy document for a log group ARN (pure; parliament lints it)."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "SynthesizeSpeech",
            "Effect": "Allow",
            "Action": list(POLLY_ACTIONS),
            "Resource": "*",
        },
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": list(LOG_ACTIONS),
            "Resource": [f"{log_group_arn}:*"],
        },
    ]
    if xray:
        statements.append(
            {
                "Sid": "WriteTraces",
                "Effect": "Allow",
                "Action": list(XRAY_ACTIONS),
                "Resource": "*",  # X-Ray's write actions support no resource-level scoping
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def caller_policy(alias_arn: str) -> dict[str, Any]:
    """The least-privilege policy of a caller: invoke the ``live`` alias, nothing else.

    The alias ARN (``...:function:NAME:live``) grants neither ``$LATEST`` nor any other
    version or alias of the function.
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "InvokeLiveAlias",
                "Effect": "Allow",
                "Action": list(INVOKE_ACTIONS),
                "Resource": [alias_arn],
            }
        ],
    }


def create_role(
    settings: StackSettings, log_group: aws.cloudwatch.LogGroup, tags: dict[str, str]
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """The execution role and its inline policy (which depends on the log group's ARN)."""
    role = aws.iam.Role(
        "execution-role",
        name=f"{settings.function_name}-execution",
        description=f"Execution role of the {settings.function_name} Lambda",
        assume_role_policy=json.dumps(assume_role_policy()),
        tags=tags,
    )
    policy = aws.iam.RolePolicy(
        "execution-policy",
        name=f"{settings.function_name}-execution",
        role=role.id,
        policy=log_group.arn.apply(
            lambda arn: json.dumps(execution_policy(arn, xray=settings.enable_xray_tracing))
        ),
        opts=pulumi.ResourceOptions(parent=role),
    )
    return role, policy
