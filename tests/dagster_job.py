"""The asset job of `pipelines.definitions` as Dagster reconstructs it for a run started from the
UI or `dg launch` (paths read from ARBEIDSTRENING_* when the run starts), for `dg.execute_job`."""

from pathlib import Path

from dagster._core.definitions.reconstruct import ReconstructableRepository

REPO = Path(__file__).resolve().parent.parent


def reconstructable_asset_job():
    """What `dagster asset materialize -m pipelines.definitions` executes (the implicit job)."""
    repo = ReconstructableRepository.for_module(
        "pipelines.definitions", "defs", working_directory=str(REPO)
    )
    return repo.get_reconstructable_job("__ASSET_JOB")
