"""Structured logging and CloudWatch EMF metrics (Powertools), in one place.

Metric names and the namespace come from :mod:`emotion_dynamics.contract`. Log records carry measurements,
classes, codes and timings only: never the text, the transcript or audio bytes.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import IO, Final, Protocol, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from emotion_dynamics.config import Config
from emotion_dynamics.contract import LATENCY_METRIC_BY_TIMING, METRICS_NAMESPACE, POWERTOOLS_ENV

__all__ = ["QUIET_LIBRARY_LOGGERS", "Telemetry", "TextStream"]

DEFAULT_SERVICE: Final = "emotion-dynamics"


#: Libraries that log request bodies (the user's text) at DEBUG: never below WARNING.
QUIET_LIBRARY_LOGGERS: Final = ("botocore", "boto3", "urllib3", "s3transfer")


class TextStream(Protocol):
    """Where log lines go: anything with ``write`` and ``flush`` (a file, StringIO, a proxy)."""

    def write(self, text: str, /) -> int:
        """Write ``text``."""

    def flush(self) -> None:
        """Flush buffered output."""


def _plain_logger(service: str, level: str, stream: TextStream | None) -> logging.Logger:
    logger = logging.getLogger(f"{service}.plain")
    logger.handlers.clear()
    handler = logging.StreamHandler(cast(IO[str], stream or sys.stdout))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger


class Telemetry:
    """The logger and the metrics sink of one container, built once from the config."""

    def __init__(self, config: Config, *, stream: TextStream | None = None) -> None:
        service = os.environ.get(POWERTOOLS_ENV.service_name) or DEFAULT_SERVICE
        self.logger: Logger | logging.Logger
        if config.structured_logging:
            logger = Logger(service=service, level=config.log_level, stream=cast(IO[str], stream))
            # Powertools keeps one logging.Logger per service name and configures it once;
            # a later Telemetry (tests, the CLI) still gets its own level and stream.
            logger.setLevel(config.log_level)
            for handler in logger.handlers:
                if isinstance(handler, logging.StreamHandler):
                    handler.setStream(cast(IO[str], stream or sys.stdout))
            self.logger = logger
        else:
            self.logger = _plain_logger(service, config.log_level, stream)
        for name in QUIET_LIBRARY_LOGGERS:
            library = logging.getLogger(name)
            if library.getEffectiveLevel() < logging.WARNING:
                library.setLevel(logging.WARNING)
        self._metrics = (
            Metrics(namespace=METRICS_NAMESPACE, service=service) if config.enable_metrics else None
        )

    def record_timings(self, timings_ms: dict[str, float]) -> None:
        """Add a latency metric for every stage that ran."""
        if self._metrics is None:
            return
        for key, metric in LATENCY_METRIC_BY_TIMING.items():
            if key in timings_ms:
                self._metrics.add_metric(
                    name=metric, unit=MetricUnit.Milliseconds, value=timings_ms[key]
                )

    def count(self, metric: str, value: int = 1) -> None:
        """Add ``value`` to a count metric (ErrorCount, FallbackCount)."""
        if self._metrics is not None:
            self._metrics.add_metric(name=metric, unit=MetricUnit.Count, value=value)

    def flush(self) -> None:
        """Write the buffered metrics as one EMF document to stdout (no-op when disabled)."""
        if self._metrics is not None:
            self._metrics.flush_metrics()
