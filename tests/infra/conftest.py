"""Fixtures of the infra tests (the harness itself lives in :mod:`infra_harness`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.infra.infra_harness import STACKS, ProgramRun, engine_config, run_program
from tests.infra.infra_harness import fake_archives as make_fake_archives


@pytest.fixture(scope="session")
def fake_archives(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Small stand-in zips: the mocked engine never uploads archives."""
    return make_fake_archives(tmp_path_factory.mktemp("archives"))


@pytest.fixture(scope="session")
def program_runs(fake_archives: tuple[Path, Path]) -> Iterator[dict[str, ProgramRun]]:
    """One mocked run per stack file (session-scoped: the program is run once per stack)."""
    runs: dict[str, ProgramRun] = {}
    with pytest.MonkeyPatch.context() as mp:
        for stack in STACKS:
            runs[stack] = run_program(stack, engine_config(stack), fake_archives, mp)
    yield runs


@pytest.fixture(params=STACKS)
def stack_run(request: pytest.FixtureRequest, program_runs: dict[str, ProgramRun]) -> ProgramRun:
    return program_runs[request.param]


RunProgram = Callable[[str, Mapping[str, str]], ProgramRun]


@pytest.fixture
def run_with_config(
    fake_archives: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> RunProgram:
    """Run the program for a stack with edited config (for the invalid-config tests)."""

    def run(stack: str, config: Mapping[str, str]) -> ProgramRun:
        return run_program(stack, config, fake_archives, monkeypatch)

    return run
