"""Amazon Polly backend: ``SynthesizeSpeech`` with our own deadline-aware retries.

botocore's retries are switched off (``total_max_attempts=1``) because this module retries
itself, so that no back-off ever sleeps past the Lambda invocation's remaining time.

Error handling
--------------
=====================================================  ======================================
what Polly (or the connection) does                    what happens
=====================================================  ======================================
``ThrottlingException``, HTTP 429, any HTTP >= 500      retried, up to ``max_retries`` times,
(``ServiceFailureException``), connect/read timeout,    full-jitter exponential back-off;
connection refused or closed                            then :class:`SynthesisUnavailableError`
``InvalidSsmlException``,                               retried once at once as plain text
``SsmlMarksNotSupportedForTextTypeException``           (``TextType=text``, the request's
                                                        ``text``); result has
                                                        ``plain_text_fallback=True``
any other 4xx (``TextLengthExceededException``,        :class:`SynthesisRejectedError`, no
``InvalidSampleRateException``, ...)                    retry
=====================================================  ======================================

Back-off before retry ``n`` (0-based) is ``uniform(base, min(max, base * 2**n))`` seconds.
One attempt may block for the connect timeout plus the read timeout, so an attempt (the
first one included) is only started when the invocation has at least that much left plus
:data:`SAFETY_MARGIN_S` to answer; a retry also needs its back-off on top. Otherwise the
call stops with :class:`SynthesisUnavailableError`, in time for the handler to answer
with the SSML before Lambda ends the invocation. Error messages name Polly's error code, the
HTTP status and the attempt count, never the text (Polly's own message is not copied
either, since it may quote the SSML).
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

import botocore.session
from botocore.config import Config as BotoConfig
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ParamValidationError,
    ReadTimeoutError,
    ResponseStreamingError,
)
from botocore.loaders import Loader

from emotion_dynamics.config import Config
from emotion_dynamics.errors import (
    SynthesisError,
    SynthesisRejectedError,
    SynthesisUnavailableError,
)
from emotion_dynamics.models import SynthesizedAudio
from emotion_dynamics.synthesis import RemainingMs, SynthesisRequest

if TYPE_CHECKING:
    from mypy_boto3_polly.client import PollyClient
else:
    PollyClient = Any

__all__ = ["SAFETY_MARGIN_S", "PollySynthesizer", "make_polly_client"]

logger = logging.getLogger(__name__)

#: Kept free after an attempt's worst case (connect + read timeout) to build the answer (s).
SAFETY_MARGIN_S: Final = 0.2

_RETRYABLE_CODES: Final = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "ServiceFailureException"}
)
_PLAIN_TEXT_CODES: Final = frozenset(
    {"InvalidSsmlException", "SsmlMarksNotSupportedForTextTypeException"}
)
_CONNECTION_ERRORS: Final = (
    ConnectTimeoutError,
    ReadTimeoutError,
    EndpointConnectionError,
    ConnectionClosedError,
    ResponseStreamingError,
)


#: Polly's part of botocore's endpoint table (every partition, only the ``polly`` service),
#: written by ``make endpoints`` from the locked botocore; a test fails when it is stale.
ENDPOINTS_SLICE: Final = Path(__file__).with_name("polly_endpoints.json")


class _OneServiceLoader(Loader):
    """botocore's data loader, told the one service its client is made for.

    Before loading a model, botocore checks the service name against every service it ships
    by listing and stat-ing each folder under its data path (about 400 services, twice: the
    model and its endpoint rules), some 30 ms of every cold start; and it parses its whole
    endpoint table (1.2 MB of JSON for every service, about 40 ms). This loader answers the
    list with the one service and, given ``endpoints``, serves the table's slice for it
    (botocore's own data, so the client still counts it as built-in). Models and rules come
    from botocore's files as usual; an ``endpoints`` file under the user's ``data_path``
    still wins over both.
    """

    def __init__(
        self, service: str, extra_search_paths: list[str], endpoints: Path | None = None
    ) -> None:
        super().__init__(extra_search_paths=extra_search_paths)
        self._service = service
        self._endpoints = endpoints

    def list_available_services(self, type_name: str) -> list[str]:
        """The one service (its files are looked up as usual when loaded)."""
        return [self._service]

    def load_data_with_path(self, name: str) -> tuple[Any, str]:
        """Load as botocore does, except the endpoint table comes from the slice when set."""
        if name != "endpoints" or self._endpoints is None or self._user_endpoints():
            return cast("tuple[Any, str]", super().load_data_with_path(name))
        try:
            data = json.loads(self._endpoints.read_bytes())
        except FileNotFoundError:  # not shipped (a source tree without it): botocore's table
            return cast("tuple[Any, str]", super().load_data_with_path(name))
        return data, os.path.join(self.BUILTIN_DATA_PATH, "endpoints")

    def _user_endpoints(self) -> bool:
        return any(
            not self.is_builtin_path(path)
            and self.file_loader.exists(os.path.join(path, "endpoints"))
            for path in self.search_paths
        )


def _data_loader(
    session: botocore.session.Session, service: str, endpoints: Path | None
) -> _OneServiceLoader:
    """The loader botocore would create (its ``data_path`` setting included), for one service."""
    data_path = session.get_config_variable("data_path") or ""
    extra = [os.path.expanduser(os.path.expandvars(p)) for p in data_path.split(os.pathsep) if p]
    return _OneServiceLoader(service, extra, endpoints)


def make_polly_client(config: Config) -> PollyClient:
    """Create a Polly client for ``config`` with botocore's own retries off.

    The region is ``config.aws_region``; the endpoint comes from the standard
    ``AWS_ENDPOINT_URL_POLLY`` / ``AWS_ENDPOINT_URL`` variables (botocore reads them itself),
    which is how tests point it at a local moto server. The client comes from a plain botocore
    session: the same client boto3 would build, without boto3's resource machinery, which
    saves about 40 ms of cold start, and its data loader skips a scan of every service's
    folder and the parse of every service's endpoints, about 70 ms more (docs/benchmarks.md).
    """
    boto_config = BotoConfig(
        region_name=config.aws_region,
        connect_timeout=config.polly_connect_timeout_s,
        read_timeout=config.polly_read_timeout_s,
        retries={"mode": "standard", "total_max_attempts": 1},
    )
    session = botocore.session.get_session()
    session.register_component("data_loader", _data_loader(session, "polly", ENDPOINTS_SLICE))
    return cast("PollyClient", session.create_client("polly", config=boto_config))


class _RetryableError(Exception):
    """Internal: one failed attempt worth retrying, with the code to report."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class PollySynthesizer:
    """Synthesizes with Amazon Polly.

    Implements :class:`~emotion_dynamics.synthesis.Synthesizer`.

    Parameters
    ----------
    client
        A boto3 Polly client (see :func:`make_polly_client`).
    max_retries : int
        Retries after the first attempt for throttling, 5xx and connection errors.
    base_delay_s, max_delay_s : float
        Back-off bounds in seconds.
    connect_timeout_s, read_timeout_s : float
        The client's timeouts: together the longest one attempt can block.
    sleep, clock, rng
        Injectable ``time.sleep``, ``time.monotonic`` and random source (for tests).
    safety_margin_s : float
        See :data:`SAFETY_MARGIN_S`.

    """

    def __init__(
        self,
        client: PollyClient,
        *,
        max_retries: int,
        base_delay_s: float,
        max_delay_s: float,
        connect_timeout_s: float,
        read_timeout_s: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        safety_margin_s: float = SAFETY_MARGIN_S,
    ) -> None:
        self.client = client
        self.max_retries = max_retries
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self._sleep = sleep
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()
        self.safety_margin_s = safety_margin_s

    @property
    def attempt_budget_s(self) -> float:
        """Invocation time an attempt needs: its worst case plus the margin to answer."""
        return self.connect_timeout_s + self.read_timeout_s + self.safety_margin_s

    @classmethod
    def from_config(
        cls,
        config: Config,
        *,
        client: PollyClient | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> PollySynthesizer:
        """Build from the runtime config; creates the client unless one is given."""
        return cls(
            client if client is not None else make_polly_client(config),
            max_retries=config.max_retries,
            base_delay_s=config.retry_base_delay_s,
            max_delay_s=config.retry_max_delay_s,
            connect_timeout_s=config.polly_connect_timeout_s,
            read_timeout_s=config.polly_read_timeout_s,
            sleep=sleep,
            clock=clock,
            rng=rng,
        )

    def backoff_s(self, retry: int) -> float:
        """Return the full-jitter delay before retry number ``retry`` (0-based), seconds."""
        high = min(self.max_delay_s, self.base_delay_s * 2.0**retry)
        return self._rng.uniform(self.base_delay_s, max(high, self.base_delay_s))

    def synthesize(
        self, request: SynthesisRequest, *, remaining_ms: RemainingMs | None = None
    ) -> SynthesizedAudio:
        """Call ``SynthesizeSpeech`` for ``request``, retrying as the module docstring says.

        Raises
        ------
        SynthesisRejectedError
            A non-retryable 4xx from Polly.
        SynthesisUnavailableError
            Retries exhausted, or no time left in the invocation for (another) attempt.
        SynthesisError
            Any other botocore failure (e.g. no credentials).

        """
        started = self._clock()
        text_type = request.text_type
        attempts = 0
        retries = 0
        fallback = False
        while True:
            budget_ms = self.attempt_budget_s * 1000.0
            left_ms = None if remaining_ms is None else remaining_ms()
            if left_ms is not None and left_ms < budget_ms:
                raise SynthesisUnavailableError(
                    f"Polly call not started: {left_ms} ms left in the invocation, an attempt "
                    f"needs {budget_ms:.0f} ms (connect + read timeout + margin) "
                    f"(after {attempts} attempts)"
                )
            attempts += 1
            try:
                audio, content_type = self._call(request, text_type)
            except _RetryableError as failure:
                logger.debug("polly attempt %d failed: %s", attempts, failure.code)
                if retries >= self.max_retries:
                    raise SynthesisUnavailableError(
                        f"Polly unavailable: {failure.code} after {attempts} attempts"
                    ) from None
                delay_s = self.backoff_s(retries)
                if remaining_ms is not None:
                    left_ms = remaining_ms()
                    if left_ms - budget_ms < delay_s * 1000.0:
                        raise SynthesisUnavailableError(
                            f"Polly unavailable: {failure.code} after {attempts} attempts; "
                            f"no retry, {left_ms} ms left in the invocation is less than the "
                            f"{delay_s * 1000.0:.0f} ms back-off plus {budget_ms:.0f} ms for "
                            "an attempt"
                        ) from None
                retries += 1
                self._sleep(delay_s)
                continue
            except ClientError as error:
                code = _error_code(error)
                status = _http_status(error)
                if code in _PLAIN_TEXT_CODES and text_type == "ssml":
                    logger.debug("polly rejected the SSML (%s); retrying as plain text", code)
                    text_type = "text"
                    fallback = True
                    continue
                raise SynthesisRejectedError(
                    f"Polly rejected the request: {code} (HTTP {status}) after {attempts} attempts"
                ) from None
            logger.debug(
                "polly synthesis done: %d attempts, %.0f ms",
                attempts,
                (self._clock() - started) * 1000.0,
            )
            return SynthesizedAudio(
                audio=audio,
                content_type=content_type,
                attempts=attempts,
                plain_text_fallback=fallback,
            )

    def _call(self, request: SynthesisRequest, text_type: str) -> tuple[bytes, str]:
        """Make one ``SynthesizeSpeech`` call and read the whole stream.

        Raises :class:`_RetryableError` for transient failures, :class:`ClientError` for the
        rest of Polly's errors, :class:`SynthesisError` for other botocore failures.
        """
        text = request.ssml if text_type == "ssml" and request.ssml is not None else request.text
        try:
            response = self.client.synthesize_speech(
                Text=text,
                TextType=text_type,  # type: ignore[arg-type]
                VoiceId=request.voice_id,  # type: ignore[arg-type]
                Engine=request.engine,  # type: ignore[arg-type]
                OutputFormat=request.output_format,  # type: ignore[arg-type]
                SampleRate=str(request.sample_rate),
            )
            stream = response["AudioStream"]
            try:
                audio = stream.read()
            finally:
                stream.close()
        except ClientError as error:
            code = _error_code(error)
            if code in _RETRYABLE_CODES or _http_status(error) >= 500 or _http_status(error) == 429:
                raise _RetryableError(code) from None
            raise
        except _CONNECTION_ERRORS as error:
            raise _RetryableError(type(error).__name__) from None
        except ParamValidationError:
            raise SynthesisRejectedError(
                "Polly request failed botocore's parameter validation"
            ) from None
        except BotoCoreError as error:
            raise SynthesisError(f"Polly call failed: {type(error).__name__}") from None
        return audio, response["ContentType"]


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def _http_status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
