"""Functional-test fixtures: Polly's endpoint pointed at the session's moto server.

``moto_server`` and ``fake_aws_env`` live in ``tests/conftest.py``. Fake credentials and the
endpoint are set per test with ``monkeypatch``, only in tests that ask for them; no real AWS
profile or credentials file is read.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def moto_polly_env(moto_server: str, fake_aws_env: None, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point botocore's Polly endpoint at the moto server (``AWS_ENDPOINT_URL_POLLY``)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_POLLY", moto_server)
    return moto_server
