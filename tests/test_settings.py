"""RunSettings: one default per setting, validated once, recorded in and read back from run_info."""

from __future__ import annotations

import pytest

from analysis.settings import (
    DEFAULT_EMPLOYMENT_THRESHOLD_NOK,
    DEFAULT_MEMORY_LIMIT,
    RunSettings,
    default_threads,
)


def test_defaults_and_threads_follow_the_cores_this_process_may_use():
    s = RunSettings()
    assert s.employment_threshold_nok == DEFAULT_EMPLOYMENT_THRESHOLD_NOK
    assert s.memory_limit == DEFAULT_MEMORY_LIMIT
    assert s.threads == default_threads() >= 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"employment_threshold_nok": -1}, "employment threshold"),
        ({"employment_threshold_nok": 4999.5}, "whole number of NOK"),
        ({"memory_limit": "lots"}, "memory limit"),
        ({"threads": 0}, "threads"),
        ({"threads": True}, "threads"),
    ],
)
def test_invalid_settings_are_refused_naming_the_rule(change, message):
    with pytest.raises(ValueError, match=message):
        RunSettings(**change)


def test_run_info_round_trip_keeps_what_results_depend_on():
    s = RunSettings(employment_threshold_nok=3000).replace(threads=1, memory_limit=None)
    assert s.threads == 1 and s.memory_limit == DEFAULT_MEMORY_LIMIT
    info = s.run_info()
    assert info["employment_threshold_nok"] == "3000"
    back = RunSettings.from_run_info(info)
    assert back.employment_threshold_nok == 3000
    assert back.gates == s.gates
    assert (
        RunSettings.from_run_info({}).employment_threshold_nok == DEFAULT_EMPLOYMENT_THRESHOLD_NOK
    )
