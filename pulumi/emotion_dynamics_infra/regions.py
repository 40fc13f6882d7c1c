"""The AWS Regions where Amazon Polly offers each engine (a stack's ``aws:region`` is checked).

Taken from Polly's Developer Guide, section "Feature and region compatibility" of each
engine's page (:data:`SOURCES`), retrieved on :data:`RETRIEVED`; the standard engine runs in
every Region with a Polly endpoint (the AWS SDK's ``botocore/data/endpoints.json``, botocore
1.44.8; the European Sovereign Cloud's ``eusc-de-east-1`` is left out, since the contract's
Region pattern does not take its name). When AWS adds a Region, add it here:
``tests/infra/test_regions.py`` checks every entry against botocore's endpoint list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = [
    "REGIONS_BY_ENGINE",
    "RETRIEVED",
    "SOURCES",
    "engine_regions",
    "region_problem",
]

RETRIEVED: Final = "2026-12-03"
SOURCES: Final[Mapping[str, str]] = {
    "standard": "botocore/data/endpoints.json (botocore 1.44.8), service polly",
    "neural": "https://docs.aws.amazon.com/polly/latest/dg/neural-voices.html",
    "generative": "https://docs.aws.amazon.com/polly/latest/dg/generative-voices.html",
    "long-form": "https://docs.aws.amazon.com/polly/latest/dg/long-form-voices.html",
}

_NEURAL: Final = frozenset(
    {
        "us-east-1", "us-west-2", "af-south-1", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-5",
        "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-2",
        "us-gov-west-1",
    }
)  # fmt: skip
_GENERATIVE: Final = frozenset(
    {
        "us-east-1", "eu-central-1", "us-west-2", "ap-northeast-1", "ap-northeast-2",
        "ap-southeast-1", "ap-southeast-2", "eu-west-2", "ca-central-1", "eu-central-2",
    }
)  # fmt: skip
_LONG_FORM: Final = frozenset({"us-east-1"})
_STANDARD: Final = frozenset(
    {
        "af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ap-southeast-5", "ap-southeast-7",
        "ca-central-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-2", "eu-west-1",
        "eu-west-2", "eu-west-3", "me-south-1", "sa-east-1", "us-east-1", "us-east-2",
        "us-west-1", "us-west-2", "cn-northwest-1", "us-gov-west-1",
    }
)  # fmt: skip

#: Engine (the contract's ``pollyEngine`` choices) -> the Regions that offer it.
REGIONS_BY_ENGINE: Final[Mapping[str, frozenset[str]]] = {
    "standard": _STANDARD,
    "neural": _NEURAL,
    "generative": _GENERATIVE,
    "long-form": _LONG_FORM,
}


def engine_regions(engine: str) -> frozenset[str]:
    """The Regions where Polly offers ``engine`` (``KeyError`` for an unknown engine)."""
    return REGIONS_BY_ENGINE[engine]


def region_problem(region: str, engine: str) -> str | None:
    """Why ``region`` cannot serve ``engine``, or ``None`` when it can."""
    regions = engine_regions(engine)
    if region in regions:
        return None
    where = ", ".join(sorted(regions))
    return (
        f"Polly offers no {engine} engine in {region} (Polly documentation, {RETRIEVED}); "
        f"{engine} runs in {where}"
    )
