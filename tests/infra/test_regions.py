"""The engine/Region table: taken from Polly's documentation, checked against the AWS SDK's data."""

from __future__ import annotations

import json
from pathlib import Path

import botocore

from emotion_dynamics import contract
from emotion_dynamics_infra import regions


def _polly_endpoints() -> set[str]:
    """Every Region with a Polly endpoint in botocore's endpoints.json (all partitions)."""
    data = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    found: set[str] = set()
    for partition in data["partitions"]:
        endpoints = partition["services"].get("polly", {}).get("endpoints", {})
        found |= {name for name in endpoints if "fips" not in name}
    return found


def test_every_engine_of_the_contract_has_regions_and_a_source() -> None:
    assert set(regions.REGIONS_BY_ENGINE) == set(contract.ENGINES)
    assert set(regions.SOURCES) == set(contract.ENGINES)
    assert all(regions.REGIONS_BY_ENGINE[e] for e in contract.ENGINES)
    assert regions.RETRIEVED.count("-") == 2  # an ISO date


def test_every_listed_region_has_a_polly_endpoint() -> None:
    endpoints = _polly_endpoints()
    for engine, listed in regions.REGIONS_BY_ENGINE.items():
        assert listed <= endpoints, (engine, sorted(listed - endpoints))


def test_standard_runs_wherever_another_engine_does() -> None:
    standard = regions.engine_regions("standard")
    for engine in ("neural", "generative", "long-form"):
        assert regions.engine_regions(engine) <= standard, engine


def test_every_listed_region_fits_the_contracts_region_pattern() -> None:
    for listed in regions.REGIONS_BY_ENGINE.values():
        for region in listed:
            assert contract.AWS_REGION.matches(region), region


def test_stack_regions_offer_the_stack_engines() -> None:
    for engine, region in (("neural", "us-east-1"), ("long-form", "us-east-1")):
        assert regions.region_problem(region, engine) is None
    problem = regions.region_problem("eu-north-1", "neural")
    assert problem is not None and problem.startswith("Polly offers no neural engine in eu-north-1")
    assert "us-east-1" in problem and regions.RETRIEVED in problem
