"""``pip install .`` from a clean tree gives a working library, its assets and the ``explorer`` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_under_explorer_is_listed_for_installation():
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "explorer").rglob("__init__.py")}
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert on_disk | {"explorer.assets"} == listed


def test_project_table_declares_python_and_the_console_script():
    project = PYPROJECT["project"]
    assert project["requires-python"] == ">=3.11"
    assert project["scripts"]["explorer"] == "explorer.cli.main:main"
    assert "dependencies" in project["dynamic"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project installed with pip into an empty target folder, from a copy of its tracked files."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in filter(None, tracked.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    target = base / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(target), str(source)],
        check=True, capture_output=True, text=True, timeout=300,
    )
    return target


def _run(installed: Path, *command: str) -> subprocess.CompletedProcess:
    empty = installed.parent / "cwd"
    empty.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(installed)}
    return subprocess.run(command, cwd=empty, env=env, capture_output=True, text=True, timeout=300)


def test_installed_library_counts_and_finds_its_shipped_weights(installed):
    code = (
        "import explorer, explorer.demos.digits as d\n"
        f"assert explorer.__file__.startswith({str(installed)!r}), explorer.__file__\n"
        "print(explorer.count(explorer.network_spec('efficientnet_b0')).macs, d.ASSETS.joinpath('digits_mbconv.safetensors').is_file())"
    )
    result = _run(installed, sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["385814752", "True"]


def test_console_script_runs_the_same_commands(installed):
    result = _run(installed, str(installed / "bin" / "explorer"), "network", "mobilenet_v2", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert (payload["params"], payload["macs"]) == (3_504_872, 300_774_272)
    refused = _run(installed, str(installed / "bin" / "explorer"), "block", "group", "--groups", "5")
    assert refused.returncode == 2 and "groups" in refused.stderr and "Traceback" not in refused.stderr
