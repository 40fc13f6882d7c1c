"""The contract is the one declaration of every setting: everything else derives from it."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from emotion_dynamics import contract
from emotion_dynamics.contract import LAMBDA_SETTINGS, SETTINGS, Kind, SettingValueError
from emotion_dynamics_dev import contract_docs
from tests.support import ROOT

#: Where a variable name may be spelled only once (tests may spell them as often as they like).
CODE_FOLDERS = ("lambda", "pulumi", "calibration", "policy", "tools")


def _string_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _readme_variables() -> list[str]:
    text = contract_docs.README.read_text(encoding="utf-8")
    table = text.split(contract_docs.ENV_BEGIN, 1)[1].split(contract_docs.ENV_END, 1)[0]
    return re.findall(r"^\| `([A-Z_]+)` \|", table, re.M)


def test_readme_table_lists_every_lambda_variable() -> None:
    assert _readme_variables() == [s.env for s in LAMBDA_SETTINGS]


def test_each_variable_is_spelled_in_exactly_one_module() -> None:
    names = _readme_variables()
    pattern = re.compile(r"\b(" + "|".join(names) + r")\b")
    modules: dict[str, set[str]] = defaultdict(set)
    for folder in CODE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for literal in _string_literals(path):
                for name in pattern.findall(literal):
                    modules[name].add(path.relative_to(ROOT).as_posix())
    contract_module = "lambda/emotion_dynamics/contract.py"
    assert {name: sorted(found) for name, found in modules.items()} == {
        name: [contract_module] for name in names
    }


def test_generated_files_are_current() -> None:
    for path, render in (
        (contract_docs.PROJECT_FILE, contract_docs.render_project_file),
        (contract_docs.README, contract_docs.render_readme),
    ):
        text = path.read_text(encoding="utf-8")
        assert render(text) == text, f"{path.name} is stale: run `make contract`"


def test_keys_and_variables_are_unique() -> None:
    keys = [s.key for s in SETTINGS]
    envs = [s.env for s in SETTINGS if s.env]
    assert len(keys) == len(set(keys)) and len(envs) == len(set(envs))
    assert all(s.env is None for s in contract.DEPLOY_SETTINGS)


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.key)
def test_every_default_parses_and_renders_back(setting: contract.Setting) -> None:
    value = setting.parse("")
    assert setting.parse(setting.render(value)) == value
    assert setting.schema_type in {"string", "integer", "boolean", "array"}
    assert setting.meaning and setting.unit


@pytest.mark.parametrize(
    ("setting", "text", "fragment"),
    [
        (contract.MAX_RETRIES, "3.5", "expected an integer, given '3.5'"),
        (contract.MAX_RETRIES, "11", "[0, 10]"),
        (contract.MIN_STABILITY_THRESHOLD, "inf", "given inf"),
        (contract.LOG_LEVEL, "loud", "DEBUG, INFO"),
        (contract.POLLY_SAMPLE_RATE, "44100", "given 44100"),
        (contract.LOG_RETENTION, "2", "given 2"),
        (contract.AWS_REGION, "mars-1", "an AWS region"),
        (contract.ALARM_EMAIL, "nobody", "an e-mail address"),
        (contract.TAGS, '["aws:x=y"]', "no aws: prefix"),
        (contract.TAGS, '{"a": 1}', "a list of"),
        (contract.ENABLE_SSML, "sometimes", "true or false"),
    ],
)
def test_bad_text_says_what_was_expected(
    setting: contract.Setting, text: str, fragment: str
) -> None:
    with pytest.raises(SettingValueError, match=re.escape(fragment)):
        setting.parse(text)


def test_kinds_map_to_schema_types() -> None:
    assert {k: contract.SCHEMA_TYPES[k] for k in Kind} == {
        Kind.BOOL: "boolean",
        Kind.INT: "integer",
        Kind.FLOAT: "string",
        Kind.CHOICE: "string",
        Kind.TEXT: "string",
        Kind.LIST: "array",
    }
