"""The README's Python API example runs as written, from any folder, and prints what its comments say."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import explorer

ROOT = Path(__file__).resolve().parents[2]


def readme_example() -> str:
    """The first ``python`` code block under the README's "Python API" heading."""
    section = (ROOT / "README.md").read_text().split("## Python API", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_prints_what_its_comments_say(tmp_path):
    code = readme_example()
    expected = [line.split("# -> ", 1)[1].strip() for line in code.splitlines() if "# -> " in line]
    assert len(expected) >= 5
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == expected


def test_public_api_names_are_all_importable():
    assert set(explorer.__all__) <= set(dir(explorer))
    assert {"build_block", "build_network", "count", "memory_report", "block_spec", "network_spec"} <= set(explorer.__all__)


def test_count_takes_modules_and_specs_and_names_a_wrong_input():
    spec = explorer.block_spec("standard", in_channels=3, out_channels=4, size=5, kernel_size=3, padding=0, norm="none")
    assert explorer.count(spec).params == 3 * 4 * 9  # k² · C_in · C_out
    assert explorer.count(spec, (3, 5, 5)).macs == 3 * 4 * 9 * 3 * 3  # ... · H' · W'
    module = explorer.build_block(spec)
    assert explorer.count(module, (3, 5, 5)).to_dict()["layers"] == explorer.count(spec).to_dict()["layers"]
    with pytest.raises(ValueError, match="input_size: this spec takes"):
        explorer.count(spec, (3, 7, 7))
    with pytest.raises(ValueError, match="input_size: a module needs"):
        explorer.count(module)
    with pytest.raises(TypeError, match="target: expected an nn.Module"):
        explorer.count("mbconv")
