"""The Lambda function, its dependency layer, its log group and the ``live`` alias.

Every deploy publishes a version; callers invoke the ``live`` alias, which points at that
version, or at ``liveVersion`` when the stack pins one (a rollback through ``pulumi up``).
Provisioned concurrency, where the stack asks for it, sits on the alias.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pulumi_aws as aws

import pulumi
from emotion_dynamics.contract import METRICS_NAMESPACE, POWERTOOLS_ENV
from emotion_dynamics_infra.stack import StackSettings

__all__ = [
    "ALIAS_NAME",
    "HANDLER",
    "FunctionResources",
    "create_function",
    "create_layer",
    "create_log_group",
    "function_environment",
]

HANDLER: Final = "handler.lambda_handler"
ALIAS_NAME: Final = "live"


@dataclass(frozen=True)
class FunctionResources:
    """What the monitoring and the stack outputs need."""

    function: aws.lambda_.Function
    layer: aws.lambda_.LayerVersion
    log_group: aws.cloudwatch.LogGroup
    alias: aws.lambda_.Alias
    provisioned: aws.lambda_.ProvisionedConcurrencyConfig | None


def _source_code_hash(path: Path) -> str:
    """base64(sha256(archive)), the form Lambda reports as CodeSha256."""
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def function_environment(settings: StackSettings) -> dict[str, str]:
    """Every environment variable of the function: the Lambda's settings + Powertools'."""
    powertools = POWERTOOLS_ENV
    return {
        **settings.lambda_env,
        powertools.service_name: settings.service_name,
        powertools.metrics_namespace: METRICS_NAMESPACE,
        powertools.log_level: settings.log_level,
        powertools.log_event: "false",  # events carry user text and audio
        powertools.trace_disabled: "false" if settings.enable_xray_tracing else "true",
    }


def create_log_group(settings: StackSettings, tags: dict[str, str]) -> aws.cloudwatch.LogGroup:
    """The function's log group, managed here so it has a retention and is deleted with us."""
    return aws.cloudwatch.LogGroup(
        "log-group",
        name=settings.log_group_name,
        retention_in_days=settings.log_retention_days,
        tags=tags,
    )


def create_layer(settings: StackSettings, archive: Path) -> aws.lambda_.LayerVersion:
    """The dependency layer (numpy, soundfile, Powertools) for the stack's runtime and CPU."""
    return aws.lambda_.LayerVersion(
        "dependencies-layer",
        layer_name=f"{settings.function_name}-dependencies",
        description=f"numpy, soundfile, aws-lambda-powertools for {settings.runtime}/"
        f"{settings.architecture}",
        code=pulumi.FileArchive(str(archive)),
        source_code_hash=_source_code_hash(archive),
        compatible_runtimes=[settings.runtime],
        compatible_architectures=[settings.architecture],
    )


def create_function(
    settings: StackSettings,
    *,
    code_archive: Path,
    layer: aws.lambda_.LayerVersion,
    role: aws.iam.Role,
    role_policy: aws.iam.RolePolicy,
    log_group: aws.cloudwatch.LogGroup,
    tags: dict[str, str],
) -> FunctionResources:
    """The function (a new version per deploy), its ``live`` alias, and its warmth if any."""
    function = aws.lambda_.Function(
        "function",
        name=settings.function_name,
        description="Carries a speaker's loudness and speaking rate into Polly SSML prosody",
        role=role.arn,
        runtime=settings.runtime,
        architectures=[settings.architecture],
        handler=HANDLER,
        code=pulumi.FileArchive(str(code_archive)),
        source_code_hash=_source_code_hash(code_archive),
        layers=[layer.arn],
        memory_size=settings.memory_mb,
        timeout=settings.timeout_s,
        ephemeral_storage=aws.lambda_.FunctionEphemeralStorageArgs(
            size=settings.ephemeral_storage_mb
        ),
        reserved_concurrent_executions=settings.reserved_concurrency,
        environment=aws.lambda_.FunctionEnvironmentArgs(variables=function_environment(settings)),
        tracing_config=aws.lambda_.FunctionTracingConfigArgs(
            mode="Active" if settings.enable_xray_tracing else "PassThrough"
        ),
        logging_config=aws.lambda_.FunctionLoggingConfigArgs(
            log_format="Text",  # Powertools writes the JSON lines itself (STRUCTURED_LOGGING)
            log_group=log_group.name,
        ),
        publish=True,  # every deploy is a version the alias can point at (and roll back to)
        tags=tags,
        opts=pulumi.ResourceOptions(depends_on=[log_group, role_policy]),
    )
    alias = aws.lambda_.Alias(
        "live-alias",
        name=ALIAS_NAME,
        description="What callers invoke: the published version of this deploy, or liveVersion",
        function_name=function.name,
        function_version=(
            str(settings.live_version) if settings.live_version is not None else function.version
        ),
    )
    provisioned = None
    if settings.provisioned_concurrency > 0:
        provisioned = aws.lambda_.ProvisionedConcurrencyConfig(
            "live-provisioned-concurrency",
            function_name=function.name,
            qualifier=alias.name,
            provisioned_concurrent_executions=settings.provisioned_concurrency,
            opts=pulumi.ResourceOptions(parent=alias),
        )
    return FunctionResources(function, layer, log_group, alias, provisioned)
