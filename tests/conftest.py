"""Fixtures shared by every test tier (helpers live in tests/support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from tests.support import FakeSynthesizer


@pytest.fixture
def fake_synthesizer() -> FakeSynthesizer:
    return FakeSynthesizer()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto on 127.0.0.1 (a free port) for the session, warmed up; yields its base URL.

    Its first Polly request loads the backend (about 0.5 s), so that happens here, not in
    the first test that times a call.
    """
    import boto3

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        client = boto3.client(
            "polly",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.synthesize_speech(
            Text="warm up", VoiceId="Joanna", OutputFormat="mp3", SampleRate="22050"
        )["AudioStream"].read()
        yield url
    finally:
        server.stop()


@pytest.fixture
def fake_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Fake credentials and region for this test only; real AWS config files are hidden."""
    empty = tmp_path_factory.mktemp("aws") / "none"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_POLLY"):
        monkeypatch.delenv(name, raising=False)
