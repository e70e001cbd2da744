"""Shared fixtures: the repository's own workspace, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from sahelevents.project import Project
from sahelevents.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def ws() -> Workspace:
    return Workspace(Project(ROOT))
