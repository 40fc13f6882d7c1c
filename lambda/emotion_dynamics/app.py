"""Wiring: build the pipeline once per container and handle one event with it.

``handler.py`` (the Lambda entry point) and the command line both use :class:`App`.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from emotion_dynamics.config import Config, load_config
from emotion_dynamics.contract import ERROR_COUNT, FALLBACK_COUNT
from emotion_dynamics.errors import EmotionDynamicsError
from emotion_dynamics.event import parse_event
from emotion_dynamics.observability import Telemetry
from emotion_dynamics.orchestrator import Orchestrator, VoiceLookup
from emotion_dynamics.response import error_response, internal_error_response, result_response
from emotion_dynamics.synthesis import Synthesizer

__all__ = ["App", "LambdaContext", "build_polly_app"]


class LambdaContext(Protocol):
    """The part of Lambda's context object the app uses."""

    aws_request_id: str

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before Lambda stops the invocation."""


class App:
    """The pipeline of one container: config, telemetry, orchestrator."""

    def __init__(
        self,
        config: Config,
        synthesizer: Synthesizer,
        telemetry: Telemetry,
        *,
        voices: VoiceLookup | None = None,
    ) -> None:
        self.config = config
        self.telemetry = telemetry
        self.orchestrator = Orchestrator(config, synthesizer, voices=voices)

    def handle(self, event: object, context: LambdaContext | None = None) -> dict[str, Any]:
        """Process one event; never raises, always returns a response dict."""
        log = self.telemetry.logger
        started = time.perf_counter()
        remaining: Callable[[], int] | None = (
            context.get_remaining_time_in_millis if context is not None else None
        )
        request_id = getattr(context, "aws_request_id", None)
        try:
            request = parse_event(event, self.config)
            result = self.orchestrator.process(request, remaining_ms=remaining)
            response = result_response(result)
        except EmotionDynamicsError as exc:
            response = error_response(exc)
            log.warning(
                "request rejected",
                extra={
                    "status": exc.status,
                    "code": exc.code,
                    "detail": exc.message,
                    "aws_request_id": request_id,
                },
            )
            self.telemetry.count(ERROR_COUNT)
        except Exception as exc:  # the last line of defence: never an unhandled exception
            # Only the type and the frames are logged: a message could quote user data.
            log.error(
                "unexpected error",
                extra={
                    "error_type": type(exc).__name__,
                    "frames": traceback.format_tb(exc.__traceback__)[-5:],
                    "aws_request_id": request_id,
                },
            )
            response = internal_error_response(exc)
            self.telemetry.count(ERROR_COUNT)
        else:
            self.telemetry.record_timings(result.timings_ms)
            if result.fallback.used:
                self.telemetry.count(FALLBACK_COUNT)
            if "error" in response:
                self.telemetry.count(ERROR_COUNT)
            log.info("request processed", extra=_summary(response, request.request_id, request_id))
        finally:
            self.telemetry.flush()
        response.setdefault("timings_ms", {})["handler"] = round(
            (time.perf_counter() - started) * 1000, 3
        )
        return response


def _summary(
    response: Mapping[str, Any], correlation_id: str | None, request_id: str | None
) -> dict[str, Any]:
    """Measurements and codes only: the fields of a response that are safe to log."""
    volume, rate = response.get("volume") or {}, response.get("rate") or {}
    return {
        "status": response["statusCode"],
        "error_code": (response.get("error") or {}).get("code"),
        "level_dbfs": volume.get("level_dbfs"),
        "volume_class": volume.get("class"),
        "wpm": rate.get("wpm"),
        "rate_class": rate.get("class"),
        "rate_method": rate.get("method"),
        "fallback_reasons": response["fallback"]["reasons"],
        "timings_ms": response["timings_ms"],
        "correlation_id": correlation_id,
        "aws_request_id": request_id,
    }


def build_polly_app(environ: Mapping[str, str] | None = None) -> App:
    """The Lambda's app: config from the environment, Polly (with the cache when enabled)."""
    from emotion_dynamics.cache import CachingSynthesizer, SynthesisCache
    from emotion_dynamics.polly import PollySynthesizer

    config = load_config(environ)
    synthesizer: Synthesizer = PollySynthesizer.from_config(config)
    if config.enable_caching:
        synthesizer = CachingSynthesizer(
            synthesizer,
            SynthesisCache(ttl_s=config.cache_ttl_s, max_entries=config.cache_max_entries),
        )
    return App(config, synthesizer, Telemetry(config))
