"""Package layout rules: the library never imports cli/ or bench/; no top-level cli/bench."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[2] / "aecodec"


def test_library_never_imports_cli_or_bench() -> None:
    offenders = []
    for path in LIBRARY.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[:2] in (["aecodec", "cli"], ["aecodec", "bench"]):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_cli_and_bench_are_installed_under_the_aecodec_namespace() -> None:
    import aecodec.bench
    import aecodec.cli

    assert Path(aecodec.cli.__file__).parent.name == "cli"
    assert Path(aecodec.bench.__file__).parent.name == "bench"
    repo = str(LIBRARY.parent)
    if repo not in sys.path and "" not in sys.path:
        assert importlib.util.find_spec("cli") is None
        assert importlib.util.find_spec("bench") is None
