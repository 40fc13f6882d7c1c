"""Read and write calibrated keys of a Pulumi stack file (``Pulumi.<stack>.yaml``).

Edits are ruamel.yaml round trips: comments, key order, quoting, blank lines and every other
key survive (the indentation of sequences is detected: the one that reproduces the file
unchanged is used); values are written as quoted strings, as Pulumi stores config. The keys
come from the contract, and the new file must pass the Pulumi program's own validation
before it replaces the old one. ``pulumi config set`` would be the CLI's equivalent.
"""

from __future__ import annotations

import dataclasses
import difflib
import io
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from calibration.errors import StackFileError
from emotion_dynamics import contract
from emotion_dynamics.config import RateThresholds, VolumeThresholds
from emotion_dynamics_infra.stack import settings_from_mapping, stack_name_of

__all__ = [
    "RATE_KEYS",
    "REPO_ROOT",
    "STACK_KEYS",
    "VOLUME_KEYS",
    "format_threshold",
    "read_min_stability",
    "read_numbers",
    "read_thresholds",
    "read_value",
    "stack_file_path",
    "threshold_values",
    "write_thresholds",
    "write_values",
]

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
#: Stack config key -> field of :class:`VolumeThresholds` (the contract's order).
VOLUME_KEYS: Final = {
    s.full_key: f.name
    for s, f in zip(contract.VOLUME_THRESHOLDS, dataclasses.fields(VolumeThresholds), strict=True)
}
#: Stack config key -> field of :class:`RateThresholds`.
RATE_KEYS: Final = {
    s.full_key: f.name
    for s, f in zip(contract.RATE_THRESHOLDS, dataclasses.fields(RateThresholds), strict=True)
}
STACK_KEYS: Final = (*VOLUME_KEYS, *RATE_KEYS)


def stack_file_path(stack: str, root: str | Path = REPO_ROOT) -> Path:
    """``<root>/Pulumi.<stack>.yaml``."""
    if not stack or any(c in stack for c in "/\\") or stack.startswith("."):
        raise StackFileError(f"stack name must be a plain name such as dev, given {stack!r}")
    return Path(root) / f"Pulumi.{stack}.yaml"


def format_threshold(value: float) -> str:
    """Text of a threshold as stored in the stack file: at most one decimal, no trailing zero."""
    text = f"{round(value, 1):.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def threshold_values(volume: VolumeThresholds, rate: RateThresholds) -> dict[str, str]:
    """The seven stack config values (strings) for the given thresholds."""
    out = {key: format_threshold(getattr(volume, name)) for key, name in VOLUME_KEYS.items()}
    out.update({key: format_threshold(getattr(rate, name)) for key, name in RATE_KEYS.items()})
    return out


#: (mapping, sequence, offset) indentations tried, to find the one a file is written in.
_INDENTS: Final = ((2, 2, 0), (2, 4, 2), (4, 4, 2), (4, 6, 4), (4, 4, 0))


def _yaml(indent: tuple[int, int, int] = (2, 2, 0)) -> YAML:
    yaml = YAML()  # round-trip mode
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, sequence, offset = indent
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(data: Any, indent: tuple[int, int, int]) -> str:
    buffer = io.StringIO()
    _yaml(indent).dump(data, buffer)
    return buffer.getvalue()


def _file_indent(text: str, data: Any) -> tuple[int, int, int]:
    """The indentation that reproduces ``text`` unchanged (else the closest one)."""

    def changed_lines(indent: tuple[int, int, int]) -> int:
        dumped = _dump(data, indent).splitlines()
        return sum(1 for line in difflib.ndiff(text.splitlines(), dumped) if line[:1] in "+-")

    return min(_INDENTS, key=changed_lines)


def _load(path: Path) -> tuple[str, Any, Any]:
    if not path.is_file():
        raise StackFileError(f"{path}: no such stack file")
    text = path.read_text(encoding="utf-8")
    try:
        data = _yaml().load(text)
    except Exception as exc:  # ruamel raises many error types; report them as one
        raise StackFileError(f"{path}: not valid YAML ({exc})") from exc
    config = data.get("config") if isinstance(data, Mapping) else None
    if not isinstance(config, Mapping):
        raise StackFileError(f"{path}: no top-level 'config:' mapping")
    return text, data, config


def _number(stack: Path, config: Mapping[str, Any], setting: contract.Setting) -> float:
    """One number of a loaded stack file (the contract's default when the key is absent)."""
    raw = config.get(setting.full_key)
    try:
        value = setting.parse("" if raw is None else str(raw))
    except ValueError as exc:
        raise StackFileError(f"{stack}: {setting.full_key}: {exc}") from None
    if not isinstance(value, float):
        raise StackFileError(f"{stack}: {setting.full_key}: expected a number, given {raw!r}")
    return value


def read_numbers(path: str | Path, settings: Iterable[contract.Setting]) -> tuple[float, ...]:
    """Numeric settings of a stack file, read in one load; a key it lacks takes its default."""
    stack = Path(path)
    _, _, config = _load(stack)
    return tuple(_number(stack, config, setting) for setting in settings)


def read_thresholds(path: str | Path) -> tuple[VolumeThresholds, RateThresholds]:
    """The thresholds in a stack file; a key it lacks takes the contract's default."""
    values = read_numbers(path, contract.THRESHOLDS)
    volume_count = len(contract.VOLUME_THRESHOLDS)
    return VolumeThresholds(*values[:volume_count]), RateThresholds(*values[volume_count:])


def read_min_stability(path: str | Path) -> float:
    """The stack file's ``minStabilityThreshold`` (the contract's default when absent)."""
    (value,) = read_numbers(path, (contract.MIN_STABILITY_THRESHOLD,))
    return value


def _check_order(volume: VolumeThresholds, rate: RateThresholds) -> None:
    if not volume.loud_dbfs > volume.medium_dbfs > volume.soft_dbfs:
        raise StackFileError(f"volume thresholds must satisfy loud > medium > soft, given {volume}")
    if not rate.very_slow_wpm < rate.slow_wpm < rate.medium_wpm < rate.fast_wpm:
        raise StackFileError(
            f"rate thresholds must satisfy very_slow < slow < medium < fast, given {rate}"
        )


def write_thresholds(
    path: str | Path,
    volume: VolumeThresholds,
    rate: RateThresholds,
    *,
    dry_run: bool = False,
) -> str:
    """Write the seven threshold keys into a stack file; return the unified diff.

    Existing keys keep their place and quoting style; missing ones are added after the last
    threshold key present (or at the end of ``config:``). Nothing else changes. With
    ``dry_run`` the file is left untouched. The diff is empty when nothing changed.
    """
    _check_order(volume, rate)
    return write_values(path, threshold_values(volume, rate), dry_run=dry_run)


def read_value(path: str | Path, key: str) -> Any:
    """The raw value of one stack key (``None`` when the file lacks it)."""
    _, _, config = _load(Path(path))
    return config.get(key)


def write_values(
    path: str | Path, values: Mapping[str, str | list[str]], *, dry_run: bool = False
) -> str:
    """Write stack keys (full keys; strings or lists of strings); return the unified diff.

    The round trip keeps every comment, key order and quoting style; a key the file lacks is
    added after the last of ``values``' keys it has (or at the end of ``config:``). The new file
    must pass the Pulumi program's validation before it replaces the old one (atomically);
    with ``dry_run`` nothing is written.
    """
    stack = Path(path)
    text, data, config = _load(stack)
    indent = _file_indent(text, data)
    present = [key for key in values if key in config]
    insert_at = (list(config).index(present[-1]) + 1) if present else len(config)
    for key, wanted in values.items():
        old = config.get(key)
        if isinstance(wanted, list):
            value: Any = CommentedSeq(wanted)
            if isinstance(old, CommentedSeq) and list(old) == wanted:
                continue  # keep the sequence (and its comments) as it is
        else:
            style = (
                SingleQuotedScalarString
                if isinstance(old, SingleQuotedScalarString)
                else DoubleQuotedScalarString
            )
            value = style(wanted)
        if key in config:
            config[key] = value
        else:
            config.insert(insert_at, key, value)
            insert_at += 1
    new_text = _dump(data, indent)
    try:
        settings_from_mapping(YAML(typ="safe").load(new_text)["config"], stack=stack_name_of(stack))
    except ValueError as exc:
        raise StackFileError(f"{stack}: the Pulumi program rejects the new config: {exc}") from exc
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            str(stack),
            f"{stack} (calibrated)",
        )
    )
    if not dry_run and new_text != text:
        fd, tmp = tempfile.mkstemp(dir=stack.parent, prefix=f".{stack.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(new_text)
        os.replace(tmp, stack)
    return diff
