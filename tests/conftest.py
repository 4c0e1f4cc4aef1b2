from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis: a CI profile that is thorough but bounded for 2 cores, and
# derandomized so that CI is reproducible; `just fuzz` explores at random.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", max_examples=25, deadline=None)
# `just fuzz`: the parsers of untrusted bytes with many more examples.
settings.register_profile(
    "fuzz",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Every async test runs under asyncio and under trio."""
    return str(request.param)


@pytest.fixture
def shared_dir() -> Path:
    """The project's shared folder (fixtures, seeds); skips when absent."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: it exists on this project's machines only")
    return SHARED
