"""parliament finds nothing to report on the generated execution policy."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from iam import execution_policy

from tests.infra.infra_harness import ACCOUNT, REGION, STACKS, ProgramRun


def _parliament() -> Any:
    # parliament 1.6 imports pkg_resources (hence setuptools<81 in the dev group).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        import parliament
    return parliament


def _findings(document: dict[str, Any]) -> list[str]:
    analyzed = _parliament().analyze_policy_string(
        json.dumps(document), include_community_auditors=True
    )
    return [f"{f.issue} {f.detail} {f.location}" for f in analyzed.findings]


@pytest.mark.parametrize("stack", STACKS)
def test_generated_policy_has_no_findings(stack: str, program_runs: dict[str, ProgramRun]) -> None:
    document = json.loads(program_runs[stack].one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert _findings(document) == []


@pytest.mark.parametrize("xray", [True, False])
def test_policy_builder_has_no_findings(xray: bool) -> None:
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/emotion-dynamics-test"
    assert _findings(execution_policy(arn, xray=xray)) == []


def test_parliament_does_report_a_bad_policy() -> None:
    # Guard against a silently broken linter.
    bad = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    assert _findings(bad)


def test_shim_points_at_parliaments_data() -> None:
    parliament = _parliament()
    assert Path(parliament.iam_definition_path).is_file()
