"""The layout's dependency rule: every arrow points one way (models <- analysis <- artifacts -> figures).

Imports are read statically (module level and inside functions; ``if TYPE_CHECKING:`` blocks are
type hints only and do not count), so a lazy import cannot hide a wrong arrow. A fresh interpreter
checks what ``import explorer`` and building or counting actually load.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = {"pandas", "plotly", "streamlit", "kaleido"}
ROLES = ("models", "analysis", "artifacts", "figures", "export", "demos", "cli", "sources")

# role -> what it must never import (explorer roles by name, third-party packages by top-level name)
FORBIDDEN: dict[str, set[str]] = {
    "models": set(ROLES) - {"models"} | HEAVY | {"formatting"},
    "analysis": {"artifacts", "figures", "export", "demos", "cli", "plotly", "streamlit", "kaleido"},
    "figures": {"models", "analysis", "artifacts", "export", "demos", "cli", "sources", "streamlit"},
    "artifacts": {"export", "cli", "streamlit"},
    "demos": {"export", "cli", "streamlit"},
    "export": {"artifacts", "demos", "cli", "streamlit"},
    # sources may use export's model export (a zoo model timed in onnxruntime); export never imports sources
    "sources": {"artifacts", "figures", "demos", "cli", "streamlit"},
    "cli": {"streamlit"},
}


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.body:
                lines.update(range(child.lineno, child.end_lineno + 1))
    return lines


def imports_of(path: Path) -> set[str]:
    """Explorer roles (``analysis``) and third-party top-level packages (``pandas``) that ``path`` imports."""
    tree = ast.parse(path.read_text())
    hints = _type_checking_lines(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in hints:
            continue
        names = [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else []
        names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        for name in names:
            parts = name.split(".")
            found.add(parts[1] if parts[0] == "explorer" and len(parts) > 1 else parts[0])
    return found


def _role(path: Path) -> str:
    return path.relative_to(ROOT / "explorer").parts[0].removesuffix(".py")


LIBRARY_FILES = sorted((ROOT / "explorer").rglob("*.py"))


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_library_module_follows_the_dependency_rule(path):
    imported = imports_of(path)
    assert "streamlit" not in imported and "views" not in imported, "the library never imports Streamlit or views"
    wrong = imported & FORBIDDEN.get(_role(path), set())
    assert not wrong, f"{path.relative_to(ROOT)} ({_role(path)}) imports {sorted(wrong)}"


def test_the_rule_catches_a_wrong_arrow(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text(
        "from typing import TYPE_CHECKING\nimport pandas as pd\nif TYPE_CHECKING:\n    from explorer.figures import style\n"
        "def f():\n    from explorer.analysis.costs import count_costs\n"
    )
    assert imports_of(module) == {"typing", "pandas", "analysis"}


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return set(result.stdout.split())


def test_import_build_and_count_load_no_pandas_plotly_or_streamlit():
    loaded = _loaded_after(
        "import torch, explorer\n"
        "explorer.build_block('mbconv')\n"
        "with torch.device('meta'):\n    net = explorer.build_network('efficientnet_b0')\n"
        "explorer.count(net, (3, 224, 224)); explorer.count(explorer.network_spec('mobilenet_v3_large'))\n"
        "explorer.memory_report(explorer.build_block('bneck'), (32, 56, 56))"
    )
    assert not loaded & HEAVY, sorted(loaded & HEAVY)
    assert "explorer" in loaded and "torch" in loaded


def test_a_table_brings_pandas_only_when_asked_for():
    loaded = _loaded_after("import explorer\nexplorer.count(explorer.block_spec('standard')).to_frame()")
    assert "pandas" in loaded and not loaded & {"plotly", "streamlit"}
