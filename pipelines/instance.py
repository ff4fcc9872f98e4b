"""The project's Dagster instance: one run history for the command line and the UI.

The instance lives in `$DAGSTER_HOME`, which defaults to `data/dagster/` in the project checkout
(git-ignored, like all of `data/`). Its configuration is `pipelines/dagster.yaml`, copied there
when missing (and kept in step with it for the project's own home), so everything Dagster writes
(run and event storage, compute logs, the UI's state) stays under that folder. (It is not kept at
the project root: Dagster warns about a dagster.yaml in the current folder that is not
DAGSTER_HOME's.)
`arbeidstrening run` records its runs there; `make dev` (`dg dev`) and `make materialize`
(`dg launch`) use the same folder, so the UI shows every run with its materializations, asset
metadata and check results.

`python -m pipelines.instance` prepares the folder and prints its path (used by the Makefile).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

INSTANCE_CONFIG = Path(__file__).resolve().with_name("dagster.yaml")
PROJECT_ROOT = INSTANCE_CONFIG.parent.parent
PROJECT_HOME = PROJECT_ROOT / "data" / "dagster"


def instance_home() -> Path | None:
    """`$DAGSTER_HOME` if set, else the project's `data/dagster` (None outside a checkout)."""
    if os.environ.get("DAGSTER_HOME"):
        return Path(os.environ["DAGSTER_HOME"]).absolute()
    return PROJECT_HOME if (PROJECT_ROOT / "pyproject.toml").is_file() else None


def prepare_instance_home(home: Path) -> Path:
    """Create the instance folder and give it the project's dagster.yaml (never replacing the
    configuration of a DAGSTER_HOME that is not the project's own)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if INSTANCE_CONFIG.is_file():
        wanted = INSTANCE_CONFIG.read_text(encoding="utf-8")
        own = home.resolve() == PROJECT_HOME.resolve()
        if not config.exists() or (own and config.read_text(encoding="utf-8") != wanted):
            config.write_text(wanted, encoding="utf-8")
    return home


def project_instance():
    """The instance runs are recorded in (ephemeral outside a checkout without DAGSTER_HOME)."""
    import dagster as dg

    home = instance_home()
    if home is None:
        return dg.DagsterInstance.ephemeral()
    return dg.DagsterInstance.from_config(str(prepare_instance_home(home)))


if __name__ == "__main__":
    home = instance_home()
    if home is None:
        sys.exit("no project checkout here and DAGSTER_HOME is not set")
    print(prepare_instance_home(home))
