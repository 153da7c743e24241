"""Counting from the command line imports none of the heavy libraries only other commands need."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("plotly", "pandas", "kaleido", "streamlit", "torch._dynamo")

# Runs ``python -m explorer ARGS`` and, at exit, writes which of HEAVY were imported on the last line of stderr.
WRAPPER = f"""
import atexit, runpy, sys
atexit.register(lambda: print("imported:", *sorted(name for name in {HEAVY!r} if name in sys.modules), file=sys.stderr))
runpy.run_module("explorer", run_name="__main__", alter_sys=True)
"""


def _run(*argv: str) -> tuple[dict, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, *argv], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(result.stdout), result.stderr.splitlines()[-1].split()[1:]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("argv", "key", "value"),
    [
        (["block", "mbconv", "--json"], "kind", "mbconv"),
        (["network", "efficientnet_b7", "--json"], "macs", 37745884192),  # torchvision's efficientnet_b7
    ],
)
def test_counting_commands_import_no_plotting_table_or_app_library(argv, key, value):
    payload, imported = _run(*argv)
    assert payload[key] == value
    assert imported == []


@pytest.mark.slow
def test_the_wrapper_sees_what_a_command_imports():
    _, imported = _run("network", "mobilenet_v1", "--json")
    assert imported == []
    result = subprocess.run(
        [sys.executable, "-c", WRAPPER, "network", "mobilenet_v1"], cwd=ROOT, capture_output=True, text=True, timeout=300,
        check=True,
    )
    assert result.stderr.splitlines()[-1].split()[1:] == ["pandas"]  # the printed table is a pandas frame
