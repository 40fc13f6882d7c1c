"""Emotion Dynamics on AWS Lambda: one stack = role, layer, function, log group, alarms.

Config is validated first (``settings``), so a bad value stops ``pulumi up`` naming its key
before any resource is declared. The archives come from ``artifacts`` (built on first use and
cached under ``build/``), or from prebuilt paths in ``EMOTION_DYNAMICS_FUNCTION_ZIP`` and
``EMOTION_DYNAMICS_LAYER_ZIP`` (for CI that runs ``make artifacts`` first).
"""

from __future__ import annotations

import os
from pathlib import Path

from function import create_function, create_layer, create_log_group
from iam import create_role
from monitoring import create_monitoring

import artifacts
import pulumi
from settings import DEPRECATED_RUNTIMES, PROJECT, settings_from_pulumi_config

# --- config (validated before anything is declared) ----------------------------------------
settings = settings_from_pulumi_config()
if settings.runtime in DEPRECATED_RUNTIMES:
    pulumi.log.warn(f"{settings.runtime} runs on Amazon Linux 2, at or past end of support")
tags = {**settings.tags, "project": PROJECT, "stack": settings.stack, "managed-by": "pulumi"}

# --- archives --------------------------------------------------------------------------------
code_zip = Path(
    os.environ.get("EMOTION_DYNAMICS_FUNCTION_ZIP")
    or artifacts.function_archive(runtime=settings.runtime)
)
layer_zip = Path(
    os.environ.get("EMOTION_DYNAMICS_LAYER_ZIP")
    or artifacts.layer_archive(runtime=settings.runtime, architecture=settings.architecture)
)

# --- resources --------------------------------------------------------------------------------
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

# --- outputs ----------------------------------------------------------------------------------
pulumi.export("functionName", fn.function.name)
pulumi.export("functionArn", fn.function.arn)
pulumi.export("aliasArn", fn.alias.arn if fn.alias else None)
pulumi.export("layerArn", layer.arn)
pulumi.export("logGroupName", log_group.name)
pulumi.export("alarmNames", [alarm.name for alarm in monitoring.alarms.values()])
pulumi.export("alarmTopicArn", monitoring.topic_arn)
pulumi.export("dashboardName", monitoring.dashboard.dashboard_name)
pulumi.export("thresholds", dict(settings.thresholds))
