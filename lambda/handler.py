"""AWS Lambda entry point (handler string ``handler.lambda_handler``).

Everything heavy (config, boto3 client, telemetry) is built once per container at import;
a bad environment variable fails the init here, with a message naming the variable.
"""

from __future__ import annotations

from typing import Any

from emotion_dynamics.app import LambdaContext, build_polly_app

APP = build_polly_app()


def lambda_handler(event: object, context: LambdaContext) -> dict[str, Any]:
    """Process one event: audio + translated text in, SSML + Polly audio (or an error) out."""
    return APP.handle(event, context)
