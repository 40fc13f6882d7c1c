"""Functional-test fixtures: a local moto server standing in for Amazon Polly.

The server runs in a thread on 127.0.0.1 (a free port chosen by the OS) for the whole
session. Fake credentials and the endpoint are set per test, with ``monkeypatch``, only in
tests that ask for :func:`moto_polly_env` or :func:`fake_aws_env`; nothing leaks to other
tests, and no real AWS profile or credentials file is read.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """Start moto on 127.0.0.1 and yield its base URL (``http://127.0.0.1:<port>``)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
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


@pytest.fixture
def moto_polly_env(moto_server: str, fake_aws_env: None, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point boto3's Polly endpoint at the moto server (``AWS_ENDPOINT_URL_POLLY``)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_POLLY", moto_server)
    return moto_server
