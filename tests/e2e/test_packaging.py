"""pyproject.toml reads without setuptools deprecation warnings (a newcomer saw one on every install)."""

from __future__ import annotations

import warnings
from pathlib import Path

from setuptools.config.pyprojecttoml import apply_configuration
from setuptools.dist import Distribution

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_applies_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        distribution = apply_configuration(Distribution(), ROOT / "pyproject.toml")
    assert distribution.metadata.license_expression == "MIT"  # an SPDX expression, not the deprecated table
    assert distribution.metadata.name == "customner"
