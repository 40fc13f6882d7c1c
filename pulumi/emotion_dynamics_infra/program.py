"""The stack: validated settings -> role, layer, function, log group, alarms -> outputs.

Config is validated first, so a bad value stops ``pulumi preview`` naming its key before any
resource is declared. The program only consumes archives: prebuilt paths in
``EMOTION_DYNAMICS_FUNCTION_ZIP`` / ``EMOTION_DYNAMICS_LAYER_ZIP``, or the up-to-date ones
``make artifacts`` left in ``build/``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import pulumi
from emotion_dynamics_infra.function import create_function, create_layer, create_log_group
from emotion_dynamics_infra.iam import caller_policy, create_role
from emotion_dynamics_infra.monitoring import create_monitoring
from emotion_dynamics_infra.stack import (
    DEPRECATED_RUNTIMES,
    PROJECT,
    StackSettings,
    settings_from_pulumi_config,
)

__all__ = ["FUNCTION_ZIP_ENV", "LAYER_ZIP_ENV", "archives", "main"]

#: Prebuilt archives handed to the program (CI builds them once per run).
FUNCTION_ZIP_ENV: Final = "EMOTION_DYNAMICS_FUNCTION_ZIP"
LAYER_ZIP_ENV: Final = "EMOTION_DYNAMICS_LAYER_ZIP"


def archives(settings: StackSettings) -> tuple[Path, Path]:
    """The function zip and the layer zip for the stack's runtime and architecture.

    Raises
    ------
    FileNotFoundError
        A given path does not exist, or ``make artifacts`` has not built current ones.

    """
    given = [os.environ.get(FUNCTION_ZIP_ENV), os.environ.get(LAYER_ZIP_ENV)]
    if all(given):
        paths = (Path(given[0] or ""), Path(given[1] or ""))
        for name, path in zip((FUNCTION_ZIP_ENV, LAYER_ZIP_ENV), paths, strict=True):
            if not path.is_file():
                raise FileNotFoundError(f"{name}: no archive at {path}")
        return paths
    from emotion_dynamics_build.archives import current_archives

    return current_archives(runtime=settings.runtime, architecture=settings.architecture)


def main() -> None:
    """Declare every resource of the running stack and export its outputs."""
    settings = settings_from_pulumi_config()
    if settings.runtime in DEPRECATED_RUNTIMES:
        pulumi.log.warn(f"{settings.runtime} runs on Amazon Linux 2, at or past end of support")
    tags = {**settings.tags, "project": PROJECT, "stack": settings.stack, "managed-by": "pulumi"}
    code_zip, layer_zip = archives(settings)

    log_group = create_log_group(settings, tags)
    role, role_policy = create_role(settings, log_group, tags)
    layer = create_layer(settings, layer_zip)
    fn = create_function(
        settings,
        code_archive=code_zip,
        layer=layer,
        role=role,
        role_policy=role_policy,
        log_group=log_group,
        tags=tags,
    )
    monitoring = create_monitoring(settings, fn.function, tags)

    pulumi.export("functionName", fn.function.name)
    pulumi.export("functionArn", fn.function.arn)
    pulumi.export("aliasArn", fn.alias.arn)
    pulumi.export("publishedVersion", fn.function.version)
    pulumi.export("liveVersion", fn.alias.function_version)
    pulumi.export("callerPolicy", fn.alias.arn.apply(caller_policy))
    pulumi.export("layerArn", layer.arn)
    pulumi.export("logGroupName", log_group.name)
    pulumi.export("alarmNames", [alarm.name for alarm in monitoring.alarms.values()])
    pulumi.export("alarmTopicArn", monitoring.topic_arn)
    pulumi.export("dashboardName", monitoring.dashboard.dashboard_name)
    pulumi.export("thresholds", dict(settings.thresholds))
