"""CloudWatch alarms on the Lambda's EMF metrics and Lambda's own, and a dashboard.

The Lambda emits EMF with Powertools Metrics in the contract's namespace with the
dimension ``service`` = ``POWERTOOLS_SERVICE_NAME`` (``emotion-dynamics-<stack>``), so every
custom-metric alarm uses exactly that namespace, metric name and dimension.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi_aws as aws

import pulumi
from emotion_dynamics.contract import (
    COUNT_METRICS,
    END_TO_END_LATENCY,
    ERROR_COUNT,
    FALLBACK_COUNT,
    LATENCY_METRICS,
    METRICS_NAMESPACE,
)
from emotion_dynamics_infra.stack import StackSettings

__all__ = ["Monitoring", "create_monitoring"]


@dataclass(frozen=True)
class Monitoring:
    """The alarms (by short name), the alarm topic if any, and the dashboard."""

    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    topic_arn: pulumi.Output[str] | None
    dashboard: aws.cloudwatch.Dashboard


def _alarm_topic(settings: StackSettings, tags: dict[str, str]) -> pulumi.Output[str] | None:
    """An existing topic (alarmTopicArn), a new one with an e-mail subscriber, or none."""
    if settings.alarms.topic_arn:
        return pulumi.Output.from_input(settings.alarms.topic_arn)
    if not settings.alarms.email:
        return None
    topic = aws.sns.Topic("alarm-topic", name=f"{settings.function_name}-alarms", tags=tags)
    aws.sns.TopicSubscription(
        "alarm-email",
        topic=topic.arn,
        protocol="email",
        endpoint=settings.alarms.email,
        opts=pulumi.ResourceOptions(parent=topic),
    )
    return topic.arn


def create_monitoring(
    settings: StackSettings, function: aws.lambda_.Function, tags: dict[str, str]
) -> Monitoring:
    """Five alarms (p95 latency, ErrorCount, FallbackCount, Lambda Errors, Throttles)."""
    a = settings.alarms
    topic_arn = _alarm_topic(settings, tags)
    actions = [topic_arn] if topic_arn is not None else []
    service = {"service": settings.service_name}
    common: dict[str, Any] = {
        "period": a.period_s,
        "evaluation_periods": a.evaluation_periods,
        "comparison_operator": "GreaterThanThreshold",
        "alarm_actions": actions,
        "ok_actions": actions,
        "tags": tags,
    }
    name = settings.function_name
    specs: dict[str, dict[str, Any]] = {
        "latency-p95": {
            "alarm_description": f"p95 {END_TO_END_LATENCY} above {a.latency_p95_ms:g} ms",
            "namespace": METRICS_NAMESPACE,
            "metric_name": END_TO_END_LATENCY,
            "dimensions": service,
            "extended_statistic": "p95",
            "threshold": a.latency_p95_ms,
            "treat_missing_data": "notBreaching",
        },
        "error-count": {
            "alarm_description": f"More than {a.error_count} failed requests per period",
            "namespace": METRICS_NAMESPACE,
            "metric_name": ERROR_COUNT,
            "dimensions": service,
            "statistic": "Sum",
            "threshold": a.error_count,
            "treat_missing_data": "notBreaching",
        },
        "fallback-count": {
            "alarm_description": f"More than {a.fallback_count} fallbacks to neutral prosody",
            "namespace": METRICS_NAMESPACE,
            "metric_name": FALLBACK_COUNT,
            "dimensions": service,
            "statistic": "Sum",
            "threshold": a.fallback_count,
            "treat_missing_data": "notBreaching",
        },
        "lambda-errors": {
            "alarm_description": f"Lambda Errors above {a.lambda_errors} per period",
            "namespace": "AWS/Lambda",
            "metric_name": "Errors",
            "dimensions": {"FunctionName": function.name},
            "statistic": "Sum",
            "threshold": a.lambda_errors,
            "treat_missing_data": "notBreaching",
        },
        "throttles": {
            "alarm_description": f"Lambda Throttles above {a.throttles} per period",
            "namespace": "AWS/Lambda",
            "metric_name": "Throttles",
            "dimensions": {"FunctionName": function.name},
            "statistic": "Sum",
            "threshold": a.throttles,
            "treat_missing_data": "notBreaching",
        },
    }
    alarms = {
        short: aws.cloudwatch.MetricAlarm(
            f"alarm-{short}", name=f"{name}-{short}", **common, **spec
        )
        for short, spec in specs.items()
    }
    dashboard = aws.cloudwatch.Dashboard(
        "dashboard",
        dashboard_name=name,
        dashboard_body=function.name.apply(lambda fn: json.dumps(_dashboard_body(settings, fn))),
    )
    return Monitoring(alarms, topic_arn, dashboard)


def _dashboard_body(settings: StackSettings, function_name: str) -> dict[str, Any]:
    """Latency percentiles, counts, and Lambda's own metrics, one widget each row."""

    def metric(name: str, stat: str) -> list[Any]:
        return [METRICS_NAMESPACE, name, "service", settings.service_name, {"stat": stat}]

    def widget(title: str, metrics: list[list[Any]], y: int, x: int = 0) -> dict[str, Any]:
        return {
            "type": "metric",
            "x": x,
            "y": y,
            "width": 12,
            "height": 6,
            "properties": {
                "title": title,
                "region": settings.region,
                "metrics": metrics,
                "period": settings.alarms.period_s,
                "view": "timeSeries",
            },
        }

    lambda_metrics = [
        ["AWS/Lambda", m, "FunctionName", function_name, {"stat": s}]
        for m, s in (("Invocations", "Sum"), ("Errors", "Sum"), ("Throttles", "Sum"))
    ]
    return {
        "widgets": [
            widget("Latency p50 (ms)", [metric(m, "p50") for m in LATENCY_METRICS], 0),
            widget("Latency p95 (ms)", [metric(m, "p95") for m in LATENCY_METRICS], 0, 12),
            widget("Errors and fallbacks", [metric(m, "Sum") for m in COUNT_METRICS], 6),
            widget("Lambda", lambda_metrics, 6, 12),
        ]
    }
