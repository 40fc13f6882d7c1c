"""Run a command with the Lambda environment a Pulumi stack would deploy.

    .venv/bin/python -m emotion_dynamics_dev.stack_env dev -- python -m emotion_dynamics_dev demo

Reads ``Pulumi.<stack>.yaml`` through the Pulumi program's own validation, so the local run
sees exactly the variables, thresholds included, that ``pulumi up`` would give the function:
the calibration flow end to end without AWS. Variables already set in the caller's
environment win.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Final

from emotion_dynamics_infra.stack import StackConfigError, validate_stack_file

__all__ = ["ROOT", "main", "stack_environment"]

ROOT: Final = Path(__file__).resolve().parents[2]


def stack_environment(stack: str, root: Path = ROOT) -> dict[str, str]:
    """The function's environment variables of ``Pulumi.<stack>.yaml`` (validated)."""
    return dict(validate_stack_file(root / f"Pulumi.{stack}.yaml").lambda_env)


def main(argv: list[str]) -> int:
    """Validate the stack file, then exec the command with its Lambda environment."""
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -m emotion_dynamics_dev.stack_env STACK -- COMMAND [ARGS...]",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        env = {**stack_environment(argv[0]), **os.environ}
    except (OSError, StackConfigError) as exc:
        print(f"error: Pulumi.{argv[0]}.yaml: {exc}", file=sys.stderr)
        return 2
    os.execvpe(argv[2], argv[2:], env)
    return 0  # pragma: no cover (exec does not return)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
