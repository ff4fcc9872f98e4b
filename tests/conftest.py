"""Suite-wide guard: tests write only to temporary directories, never into the working tree.

At the end of the session the working tree (including git-ignored paths such as
`reports/output/` and `data/`) must hold exactly what it held at the start, apart from Python and
tool caches. A test that writes the user's report or data fails the session here.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHES = ("__pycache__", ".pytest_cache", ".ruff_cache")


def _tree_state() -> dict[str, tuple] | None:
    try:
        listed = subprocess.run(
            ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return None  # not a git checkout: nothing to compare
    state = {}
    for line in listed:
        path = line[3:]
        if any(part in CACHES for part in Path(path).parts):
            continue
        full = ROOT / path
        try:
            st = full.stat()
            state[line] = (st.st_size, st.st_mtime_ns)
        except OSError:
            state[line] = None
    return state


@pytest.fixture(scope="session", autouse=True)
def working_tree_untouched():
    before = _tree_state()
    yield
    after = _tree_state()
    if before is None or after is None:
        return
    changed = sorted(set(before.items()) ^ set(after.items()))
    assert not changed, f"tests changed the working tree: {[c[0] for c in changed][:20]}"


@pytest.fixture(scope="session", autouse=True)
def dagster_home(tmp_path_factory):
    """Runs the tests record (the command line records every run in $DAGSTER_HOME, default the
    project's data/dagster) go to a Dagster instance of their own, which subprocesses inherit."""
    import os

    home = tmp_path_factory.mktemp("dagster_home")
    before = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    yield home
    if before is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = before
