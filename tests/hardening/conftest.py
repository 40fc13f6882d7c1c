"""Hardening-tier fixtures: moto's Polly on 127.0.0.1 behind a fault proxy; figure recording.

moto runs in a thread on 127.0.0.1 (port chosen by the OS) for the session; each test that
asks for :func:`proxy` gets a fresh :class:`~tests.hardening.fault_proxy.FaultProxy` in
front of it and ``AWS_ENDPOINT_URL_POLLY`` pointing at the proxy, with fake credentials set
for that test only (no real AWS profile or credentials file is read).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.hardening import figures
from tests.hardening.fault_proxy import FaultProxy


@pytest.fixture(scope="session")
def moto_polly_url() -> Iterator[str]:
    """moto on 127.0.0.1, warmed up (its first Polly request loads the backend, ~0.5 s)."""
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
def fake_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Fake credentials and region for this test only; real AWS config files are hidden."""
    empty = tmp_path_factory.mktemp("aws") / "none"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def proxy(
    moto_polly_url: str, fake_aws: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FaultProxy]:
    """A fault proxy in front of moto; boto3's Polly endpoint points at it for this test."""
    fault_proxy = FaultProxy(moto_polly_url, delay_s=2.0)
    monkeypatch.setenv("AWS_ENDPOINT_URL_POLLY", fault_proxy.url)
    try:
        yield fault_proxy
    finally:
        fault_proxy.close()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write this process's figures to build/hardening/figures.json."""
    figures.flush()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures measured in this run (the numbers docs/reliability.md quotes)."""
    if figures.FIGURES:
        terminalreporter.section("hardening figures")
        terminalreporter.write_line(json.dumps(figures.FIGURES, indent=1, sort_keys=True))
