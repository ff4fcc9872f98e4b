"""The Makefile's help and CI: every target and variable is listed, CI lints and tests."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAKEFILE = (REPO / "Makefile").read_text(encoding="utf-8")


def _make(*args: str) -> str:
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_help_lists_every_target_and_every_variable_with_its_default():
    targets = re.search(r"^\.PHONY:(.*)$", MAKEFILE, re.M).group(1).split()
    settable = set(re.findall(r"^([A-Z_]+)\s*\?=", MAKEFILE, re.M))
    assert {"INPUT", "WAREHOUSE", "SCALE", "SEED", "PRESET", "REPORT_DIR"} <= settable
    text = _make("help")
    for target in set(targets) - {"help", "venv"}:
        assert re.search(rf"^  make {target}\b", text, re.M), target
    for name in settable:
        assert re.search(rf"^  {name} +\S.*\n +default: \S", text, re.M), name
    assert "default: 2024\n" in text  # SEED's default, and no current value unless set
    changed = _make("help", "SEED=7", "RUN_FLAGS=--no-effects --threads 4")
    assert "default: 2024   now: 7\n" in changed
    assert "default: (empty)   now: --no-effects --threads 4\n" in changed


def test_ci_runs_lint_and_the_readme_test_command(tmp_path):
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    test_command = re.search(r"^(make \w+) +# install and run the test suite", readme, re.M)
    assert test_command and re.search(rf"^{test_command.group(1)}$", ci, re.M)
    assert re.search(r"^make lint$", ci, re.M)
    # a stamp newer than pyproject.toml: nothing is installed (make remakes a makefile-named
    # prerequisite even under -n, so the stamp is never one of the project's files)
    stamp = tmp_path / "stamp"
    stamp.touch()
    lint = _make("-n", "lint", f"STAMP={stamp}", f"BIN={tmp_path}")
    assert "ruff check " in lint and "ruff format --check " in lint
