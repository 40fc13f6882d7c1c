"""Run a command with the Lambda environment a Pulumi stack would deploy.

    .venv/bin/python scripts/stack_env.py dev -- python -m emotion_dynamics demo

Reads ``Pulumi.<stack>.yaml`` through the Pulumi program's own validation
(``pulumi/settings.py``), so the local run sees exactly the variables, thresholds included,
that ``pulumi up`` would give the function: the calibration flow end to end without AWS.
Variables already set in the caller's environment win.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "pulumi"))

import settings  # noqa: E402  (pulumi/ is a program folder, not a package)


def main(argv: list[str]) -> int:
    """Validate the stack file, then exec the command with its Lambda environment."""
    if len(argv) < 3 or argv[1] != "--":
        print("usage: stack_env.py STACK -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    stack_file = ROOT / f"Pulumi.{argv[0]}.yaml"
    try:
        stack = settings.validate_stack_file(stack_file)
    except (OSError, ValueError) as exc:
        print(f"error: {stack_file.name}: {exc}", file=sys.stderr)
        return 2
    env = {**stack.lambda_env, **os.environ}
    os.execvpe(argv[2], argv[2:], env)
    return 0  # pragma: no cover (exec does not return)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
