"""One set of keys everywhere: stack files, Pulumi.yaml's schema, the program's env vars and
the Lambda's config loader (AWS_REGION is the one documented exception: Lambda sets it)."""

from __future__ import annotations

from typing import Any

import pytest
from ruamel.yaml import YAML

import settings as stack_settings
from emotion_dynamics import config as lambda_config
from tests.infra.infra_harness import REPO, STACKS, ProgramRun

PREFIX = "emotion-dynamics:"


def _yaml(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load((REPO / name).read_text(encoding="utf-8"))
    return loaded


def _project_keys(keys: Any) -> set[str]:
    return {k.removeprefix(PREFIX) for k in keys if k.startswith(PREFIX)}


def test_stack_files_and_schema_declare_the_same_keys() -> None:
    schema = _project_keys(_yaml("Pulumi.yaml")["config"])
    assert schema == {spec.key for spec in stack_settings.ALL_KEYS}
    for stack in STACKS:
        config = _yaml(f"Pulumi.{stack}.yaml")["config"]
        assert _project_keys(config) == schema, stack
        assert set(config) - {PREFIX + k for k in schema} == {"aws:region"}, stack


def test_schema_types_defaults_and_descriptions_match_settings() -> None:
    schema = _yaml("Pulumi.yaml")["config"]
    for spec in stack_settings.ALL_KEYS:
        declared = schema[PREFIX + spec.key]
        assert declared["type"] == spec.type, spec.key
        assert declared["default"] == spec.default, spec.key
        assert declared["description"].startswith(spec.description), spec.key


def test_stack_values_match_schema_types() -> None:
    # The engine rejects a stack value whose YAML type differs from the schema's type.
    python_type = {"string": str, "integer": int, "boolean": bool, "array": list}
    schema = _yaml("Pulumi.yaml")["config"]
    for stack in STACKS:
        for key, value in _yaml(f"Pulumi.{stack}.yaml")["config"].items():
            if key.startswith(PREFIX):
                expected = python_type[schema[key]["type"]]
                assert type(value) is expected, f"{stack}: {key}={value!r}"


def test_lambda_keys_are_the_loaders_variables() -> None:
    loader = {s.name for s in lambda_config.SETTINGS}
    program = {spec.env for spec in stack_settings.LAMBDA_KEYS}
    assert program == loader - stack_settings.ENV_EXCEPTIONS
    assert {"AWS_REGION"} == stack_settings.ENV_EXCEPTIONS


def test_schema_defaults_are_the_loaders_defaults() -> None:
    defaults = {s.name: s.default for s in lambda_config.SETTINGS}
    for spec in stack_settings.LAMBDA_KEYS:
        assert spec.env is not None
        rendered = (
            str(spec.default).lower() if isinstance(spec.default, bool) else str(spec.default)
        )
        assert rendered == defaults[spec.env], spec.key


def test_key_names_are_camel_case_of_the_variables() -> None:
    for spec in stack_settings.LAMBDA_KEYS:
        assert spec.env is not None
        first, *rest = spec.env.lower().split("_")
        assert spec.key == first + "".join(w.capitalize() for w in rest)


@pytest.mark.parametrize("stack", STACKS)
def test_program_env_is_exactly_the_loaders_variables(
    stack: str, program_runs: dict[str, ProgramRun]
) -> None:
    env = program_runs[stack].one("aws:lambda/function:Function").inputs["environment"]["variables"]
    loader = {s.name for s in lambda_config.SETTINGS}
    own = {name for name in env if not name.startswith("POWERTOOLS_")}
    assert own == loader - {"AWS_REGION"}
    # ...and the Lambda accepts what the program sets.
    lambda_config.load_config(env)


def test_thresholds_are_quoted_strings_under_their_comment() -> None:
    for stack in STACKS:
        text = (REPO / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8")
        block = text.split(
            "# --- thresholds (written by notebooks/calibrate_thresholds; see README) ---"
        )[1]
        lines = [line.strip() for line in block.splitlines() if line.strip().startswith(PREFIX)]
        assert [line.split(":")[1] for line in lines[:7]] == list(stack_settings.THRESHOLD_KEYS)
        assert all(line.split(": ", 1)[1].startswith('"') for line in lines[:7])


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


def test_loader_reads_exactly_the_declared_variables() -> None:
    env = _RecordingEnv()
    lambda_config.load_config(env)
    declared = {s.name for s in lambda_config.SETTINGS}
    assert env.asked == declared
    assert env.asked - stack_settings.ENV_EXCEPTIONS == {s.env for s in stack_settings.LAMBDA_KEYS}
