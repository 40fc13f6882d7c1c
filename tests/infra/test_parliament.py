"""parliament finds nothing to report on the generated execution policy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from emotion_dynamics_infra.iam import execution_policy
from tests.infra.infra_harness import ACCOUNT, REGION, STACKS, ProgramRun, parliament_findings


def _findings(document: dict[str, Any]) -> list[str]:
    return parliament_findings(document)


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
