"""``python -m emotion_dynamics_infra.validate Pulumi.prod.yaml``: a stack file's verdict.

Validates the file exactly as ``pulumi up`` would (:func:`.stack.validate_stack_file`) and
prints one line: ``Pulumi.prod.yaml: valid (emotion-dynamics-prod, us-east-1, neural,
python3.12/x86_64)``, or the first problem with its key, e.g. ``Pulumi.prod.yaml:
emotion-dynamics:alarmEmail: ...``. Exit status 0 when valid, 2 otherwise (``make validate
STACK=prod``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from emotion_dynamics.contract import POLLY_ENGINE
from emotion_dynamics_infra.stack import StackConfigError, StackSettings, validate_stack_file

__all__ = ["main", "verdict"]


def _summary(settings: StackSettings) -> str:
    engine = settings.lambda_env.get(POLLY_ENGINE.env or "", POLLY_ENGINE.default)
    return (
        f"valid ({settings.function_name}, {settings.region}, {engine}, "
        f"{settings.runtime}/{settings.architecture})"
    )


def verdict(path: Path | str) -> tuple[bool, str]:
    """Whether the stack file at ``path`` is valid, and its one-line verdict."""
    from ruamel.yaml.error import YAMLError

    name = Path(path).name
    try:
        settings = validate_stack_file(path)
    except StackConfigError as exc:
        return False, f"{name}: {exc}"
    except OSError as exc:
        return False, f"{name}: cannot read the file ({exc.strerror or exc})"
    except YAMLError as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return False, f"{name}: not valid YAML ({problem})"
    return True, f"{name}: {_summary(settings)}"


def main(argv: list[str] | None = None) -> int:
    """Print the verdict of each stack file given; 0 when all are valid, else 2."""
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: python -m emotion_dynamics_infra.validate Pulumi.STACK.yaml ...",
              file=sys.stderr)  # fmt: skip
        return 2
    ok = True
    for path in paths:
        valid, line = verdict(path)
        print(line, file=sys.stdout if valid else sys.stderr)
        ok = ok and valid
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
