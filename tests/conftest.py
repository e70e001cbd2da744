"""Shared fixtures: the repository's own workspace, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from sahelevents.project import Project
from sahelevents.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]

# CI machines are shared: a property test must fail on a wrong answer, never on a slow one.
settings.register_profile("sahelevents", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("sahelevents")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def ws() -> Workspace:
    return Workspace(Project(ROOT))
