"""Every Dagster definition loads and the asset graph is wired as documented."""

from __future__ import annotations

import dagster as dg

from analysis.contract import TABLES
from pipelines.definitions import build_definitions, defs


def test_definitions_validate():
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.materializable_asset_keys}
    for t in TABLES:
        assert f"raw/{t.name}" in keys and f"staging/{t.name}" in keys
    assert {"panel/person_month", "meta/observation_window", "published_warehouse"} <= keys


def test_every_staging_table_has_blocking_checks():
    graph = defs.resolve_asset_graph()
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    for t in TABLES:
        assert (f"staging/{t.name}", "rows_in_equal_accepted_plus_rejected") in checks
        assert (f"staging/{t.name}", "key_unique") in checks
    for check_def in defs.asset_checks:
        for spec in check_def.check_specs:
            assert spec.blocking, spec.key


def test_publish_depends_on_everything_else():
    graph = build_definitions("in", "wh.duckdb").resolve_asset_graph()
    publish = dg.AssetKey("published_warehouse")
    upstream = graph.upstream_key_iterator(publish)
    ancestors = set()
    frontier = list(upstream)
    while frontier:
        key = frontier.pop()
        if key not in ancestors:
            ancestors.add(key)
            frontier.extend(graph.get(key).parent_keys)
    report = dg.AssetKey(["report", "rapport"])
    assert ancestors == set(graph.materializable_asset_keys) - {publish, report}
    assert graph.get(report).parent_keys == {publish}
