"""Fixtures shared by every test tier (helpers live in tests/support.py)."""

from __future__ import annotations

import pytest

from tests.support import FakeSynthesizer


@pytest.fixture
def fake_synthesizer() -> FakeSynthesizer:
    return FakeSynthesizer()
