"""Hardening-tier fixtures: moto's Polly on 127.0.0.1 behind a fault proxy; figure recording.

moto runs in a thread on 127.0.0.1 (port chosen by the OS) for the session; each test that
asks for :func:`proxy` gets a fresh :class:`~tests.hardening.fault_proxy.FaultProxy` in
front of it and ``AWS_ENDPOINT_URL_POLLY`` pointing at the proxy, with fake credentials set
for that test only (no real AWS profile or credentials file is read).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.hardening import figures
from tests.hardening.fault_proxy import FaultProxy


@pytest.fixture
def proxy(
    moto_server: str, fake_aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FaultProxy]:
    """A fault proxy in front of moto; boto3's Polly endpoint points at it for this test."""
    fault_proxy = FaultProxy(moto_server, delay_s=2.0)
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
