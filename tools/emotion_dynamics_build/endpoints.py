"""Polly's slice of botocore's endpoint table, for the function's client (faster cold start).

botocore parses its whole ``endpoints.json`` (1.2 MB, every service) whenever a session makes
its first client; the Polly client needs the partitions and the ``polly`` entry only.
:mod:`emotion_dynamics.polly` serves this slice instead (docs/benchmarks.md has the saving).

    .venv/bin/python -m emotion_dynamics_build.endpoints           # check: exit 1 if stale
    .venv/bin/python -m emotion_dynamics_build.endpoints --write   # rewrite it (make endpoints)

The slice comes from the botocore in the lock; ``tests/functional/test_polly.py`` fails when
the committed file differs from it, and checks that a client built on it resolves every
region exactly as botocore's full table does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from botocore.loaders import create_loader

from emotion_dynamics.polly import ENDPOINTS_SLICE

__all__ = ["render", "slice_table"]

SERVICE = "polly"


def slice_table(table: dict[str, Any], service: str = SERVICE) -> dict[str, Any]:
    """``table`` with every partition kept and each partition's services cut to ``service``."""
    partitions = []
    for partition in table["partitions"]:
        kept = {key: value for key, value in partition.items() if key != "services"}
        services = partition.get("services", {})
        kept["services"] = {service: services[service]} if service in services else {}
        partitions.append(kept)
    return {**{k: v for k, v in table.items() if k != "partitions"}, "partitions": partitions}


def render() -> str:
    """The slice of the installed botocore's built-in table, as committed."""
    table = create_loader().load_data("endpoints")
    return json.dumps(slice_table(table), indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(ENDPOINTS_SLICE)
    text = render()
    if args == ["--write"]:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target}")
        else:
            print(f"{target} is up to date")
        return 0
    if args:
        print("usage: python -m emotion_dynamics_build.endpoints [--write]", file=sys.stderr)
        return 2
    if target.exists() and target.read_text(encoding="utf-8") == text:
        print(f"{target} is up to date")
        return 0
    print(f"{target} is stale: run make endpoints", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
