"""pyproject.toml in the form current build tools read without a deprecation warning."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_license_is_an_spdx_string_with_its_file() -> None:
    # A TOML table (`{ text = "MIT" }`) makes every install warn, and stops working in 2027.
    project = pyproject()["project"]
    assert isinstance(project["license"], str)
    assert re.fullmatch(r"[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*", project["license"])
    assert project["license-files"]
    for name in project["license-files"]:
        assert (ROOT / name).is_file()
    assert project["license"] in (ROOT / project["license-files"][0]).read_text()


def test_the_build_backend_is_new_enough_for_the_spdx_form() -> None:
    # setuptools reads `license` as SPDX and `license-files` from 77.0 on.
    requires = pyproject()["build-system"]["requires"]
    (setuptools,) = [r for r in requires if r.startswith("setuptools")]
    match = re.fullmatch(r"setuptools>=(\d+)(\.\d+)*", setuptools)
    assert match and int(match[1]) >= 77
