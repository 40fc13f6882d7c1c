"""Read and write the seven threshold keys of a Pulumi stack file (``Pulumi.<stack>.yaml``).

Edits are ruamel.yaml round trips: comments, key order, quoting, blank lines and every other
key survive (the indentation of sequences is detected: the one that reproduces the file
unchanged is used); values are written as quoted strings, as Pulumi stores config. No Pulumi CLI is needed (none
can be installed on the project's machines); ``pulumi config set`` would be the equivalent.
"""

from __future__ import annotations

import difflib
import importlib.util
import io
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from calibration.errors import StackFileError
from emotion_dynamics.config import RateThresholds, VolumeThresholds

__all__ = [
    "RATE_KEYS",
    "REPO_ROOT",
    "STACK_KEYS",
    "VOLUME_KEYS",
    "format_threshold",
    "pulumi_validator",
    "read_thresholds",
    "stack_file_path",
    "threshold_values",
    "write_thresholds",
]

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
NAMESPACE: Final = "emotion-dynamics"
#: Stack config key -> field of :class:`VolumeThresholds`.
VOLUME_KEYS: Final = {
    f"{NAMESPACE}:volumeLoudThreshold": "loud_dbfs",
    f"{NAMESPACE}:volumeMediumThreshold": "medium_dbfs",
    f"{NAMESPACE}:volumeSoftThreshold": "soft_dbfs",
}
#: Stack config key -> field of :class:`RateThresholds`.
RATE_KEYS: Final = {
    f"{NAMESPACE}:rateVerySlowThreshold": "very_slow_wpm",
    f"{NAMESPACE}:rateSlowThreshold": "slow_wpm",
    f"{NAMESPACE}:rateMediumThreshold": "medium_wpm",
    f"{NAMESPACE}:rateFastThreshold": "fast_wpm",
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


def read_thresholds(path: str | Path) -> tuple[VolumeThresholds, RateThresholds]:
    """The thresholds in a stack file; a key it lacks takes the Lambda's default."""
    stack = Path(path)
    _, _, config = _load(stack)

    def number(key: str, default: float) -> float:
        raw = config.get(key)
        if raw is None:
            return default
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise StackFileError(f"{stack}: {key} must be a number, given {raw!r}") from None

    defaults_v, defaults_r = VolumeThresholds(), RateThresholds()
    volume = VolumeThresholds(
        **{n: number(k, getattr(defaults_v, n)) for k, n in VOLUME_KEYS.items()}
    )
    rate = RateThresholds(**{n: number(k, getattr(defaults_r, n)) for k, n in RATE_KEYS.items()})
    return volume, rate


def pulumi_validator(
    root: str | Path = REPO_ROOT,
) -> Callable[[Mapping[str, Any], str], None] | None:
    """The Pulumi program's pure config validation (``pulumi/settings.py``), if present.

    Returns a function ``validate(config_mapping, stack)`` that raises on a bad value, or
    ``None`` when the program's settings module does not exist.
    """
    module_path = Path(root) / "pulumi" / "settings.py"
    if not module_path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("_emotion_dynamics_pulumi_settings", module_path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    project_file = Path(root) / "Pulumi.yaml"

    def validate(config: Mapping[str, Any], stack: str) -> None:
        defaults = module.project_defaults(project_file) if project_file.is_file() else None
        module.settings_from_mapping(dict(config), stack=stack, project_defaults=defaults)

    return validate


def _stack_name(path: Path) -> str:
    return path.name.removeprefix("Pulumi.").removesuffix(".yaml").removesuffix(".yml")


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
    validate: bool = True,
) -> str:
    """Write the seven threshold keys into a stack file; return the unified diff.

    Existing keys keep their place and quoting style; missing ones are added after the last
    threshold key present (or at the end of ``config:``). Nothing else changes. With
    ``dry_run`` the file is left untouched. The diff is empty when nothing changed.
    """
    stack = Path(path)
    _check_order(volume, rate)
    text, data, config = _load(stack)
    indent = _file_indent(text, data)
    wanted = threshold_values(volume, rate)
    present = [key for key in STACK_KEYS if key in config]
    insert_at = (list(config).index(present[-1]) + 1) if present else len(config)
    for key in STACK_KEYS:
        old = config.get(key)
        style = (
            SingleQuotedScalarString
            if isinstance(old, SingleQuotedScalarString)
            else DoubleQuotedScalarString
        )
        value = style(wanted[key])
        if key in config:
            config[key] = value
        else:
            config.insert(insert_at, key, value)
            insert_at += 1
    new_text = _dump(data, indent)
    validator = pulumi_validator() if validate else None
    if validator is not None:
        try:
            validator(YAML(typ="safe").load(new_text)["config"], _stack_name(stack))
        except ValueError as exc:
            raise StackFileError(
                f"{stack}: the Pulumi program rejects the new config: {exc}"
            ) from exc
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
