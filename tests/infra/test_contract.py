"""The stack files and the deployed environment follow the contract (the one declaration).

Pulumi.yaml's schema is generated from the contract (tests/unit/test_contract.py checks it is
current); here: the stack files declare exactly the contract's keys with the schema's types,
the program hands the function exactly the contract's variables, and the loader reads them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from ruamel.yaml import YAML

from emotion_dynamics import config as lambda_config
from emotion_dynamics import contract
from tests.infra.infra_harness import REPO, STACKS, ProgramRun

PROJECT_KEYS = {s.full_key for s in contract.SETTINGS if ":" not in s.key}


def _yaml(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load((REPO / name).read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("stack", STACKS)
def test_stack_files_declare_every_contract_key(stack: str) -> None:
    config = _yaml(f"Pulumi.{stack}.yaml")["config"]
    assert set(config) == PROJECT_KEYS | {contract.AWS_REGION.key}


def test_schema_declares_every_contract_key() -> None:
    assert set(_yaml("Pulumi.yaml")["config"]) == PROJECT_KEYS


@pytest.mark.parametrize("stack", STACKS)
def test_stack_values_match_schema_types(stack: str) -> None:
    # The engine rejects a stack value whose YAML type differs from the schema's type.
    python_type = {"string": str, "integer": int, "boolean": bool, "array": list}
    for key, value in _yaml(f"Pulumi.{stack}.yaml")["config"].items():
        if key in PROJECT_KEYS:
            expected = python_type[contract.by_key(key).schema_type]
            assert type(value) is expected, f"{stack}: {key}={value!r}"


def test_key_names_are_camel_case_of_the_variables() -> None:
    for setting in contract.LAMBDA_SETTINGS:
        if setting.set_by_lambda or setting.env is None:
            continue
        first, *rest = setting.env.lower().split("_")
        assert setting.key == first + "".join(w.capitalize() for w in rest)


@pytest.mark.parametrize("stack", STACKS)
def test_program_env_is_exactly_the_contracts_variables(
    stack: str, program_runs: dict[str, ProgramRun]
) -> None:
    env = program_runs[stack].one("aws:lambda/function:Function").inputs["environment"]["variables"]
    own = set(env) - set(dataclasses.astuple(contract.POWERTOOLS_ENV))
    assert own == {s.env for s in contract.LAMBDA_SETTINGS if s.env and not s.set_by_lambda}
    assert contract.AWS_REGION.env not in env  # Lambda reserves it
    lambda_config.load_config(env)  # ...and the Lambda accepts what the program sets


def test_thresholds_are_quoted_strings_under_their_comment() -> None:
    for stack in STACKS:
        text = (REPO / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8")
        block = text.split(
            "# --- thresholds (written by notebooks/calibrate_thresholds; see README) ---"
        )[1]
        lines = [
            line.strip() for line in block.splitlines() if line.strip().startswith("emotion-dyn")
        ]
        keys = [s.key for s in contract.THRESHOLDS]
        assert [line.split(":")[1] for line in lines[: len(keys)]] == keys
        assert all(line.split(": ", 1)[1].startswith('"') for line in lines[: len(keys)])


class _RecordingEnv(dict[str, str]):
    """An environment that records every variable the loader asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)


def test_loader_reads_exactly_the_variables_it_uses() -> None:
    env = _RecordingEnv()
    lambda_config.load_config(env)
    assert env.asked == {s.env for s in contract.LAMBDA_SETTINGS if s.env and s.lambda_reads}
    assert contract.ENABLE_XRAY_TRACING.env not in env.asked  # a deployment flag
