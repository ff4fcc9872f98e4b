"""Every Dagster definition loads and the asset graph is wired as documented."""

from __future__ import annotations

from pathlib import Path

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
    # every check blocks publication except the design gate's verdict on the headline, which
    # is a result (a failed design is reported, not an error)
    for check_def in defs.asset_checks:
        for spec in check_def.check_specs:
            assert spec.blocking or spec.name == "headline_design_credible", spec.key


def _ancestors(graph, key: dg.AssetKey) -> set[dg.AssetKey]:
    ancestors: set[dg.AssetKey] = set()
    frontier = list(graph.get(key).parent_keys)
    while frontier:
        k = frontier.pop()
        if k not in ancestors:
            ancestors.add(k)
            frontier.extend(graph.get(k).parent_keys)
    return ancestors


def test_publication_is_the_last_step():
    """Every asset, the report included, runs before the warehouse is published; the report reads
    everything else (the working copy), so a failing report or check leaves nothing published."""
    graph = build_definitions("in", "wh.duckdb").resolve_asset_graph()
    publish = dg.AssetKey("published_warehouse")
    report = dg.AssetKey(["report", "rapport"])
    everything = set(graph.materializable_asset_keys)
    assert _ancestors(graph, publish) == everything - {publish}
    assert _ancestors(graph, report) == everything - {publish, report}
    assert graph.get(publish).child_keys == set()
    # every check guards an asset publication depends on
    for check in graph.asset_check_keys:
        assert check.asset_key in _ancestors(graph, publish), check


def test_descriptive_run_has_no_report_and_still_publishes_last():
    graph = build_definitions("in", "wh.duckdb", with_effects=False).resolve_asset_graph()
    publish = dg.AssetKey("published_warehouse")
    keys = set(graph.materializable_asset_keys)
    assert dg.AssetKey(["report", "rapport"]) not in keys
    assert _ancestors(graph, publish) == keys - {publish}


def test_plausibility_gates_are_blocking_checks():
    graph = defs.resolve_asset_graph()
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    for t in TABLES:
        assert (f"staging/{t.name}", "rejected_share_within_limit") in checks
        if t.coverage:
            assert ("meta/observation_window", f"{t.name}_covers_window") in checks
    assert ("meta/run_info", "mart_counts_are_non_negative_integers") in checks


def test_outbound_tables_sit_between_the_marts_and_the_report():
    """The outbound (protected) tables and their blocking disclosure check come after every mart
    and the run colophon; the report reads them; publication comes after the report."""
    graph = defs.resolve_asset_graph()
    protected = dg.AssetKey(["protected", "tables"])
    report, publish = dg.AssetKey(["report", "rapport"]), dg.AssetKey("published_warehouse")
    assert protected in graph.get(report).parent_keys
    marts = {k for k in graph.materializable_asset_keys if k.path[0] == "marts"}
    assert marts <= _ancestors(graph, protected)
    assert _ancestors(graph, publish) == set(graph.materializable_asset_keys) - {publish}
    checks = {(c.asset_key, c.name) for c in graph.asset_check_keys}
    assert (protected, "nothing_can_be_worked_out") in checks
    assert not any(name == "no_disclosure_violations" for _, name in checks)


# The layers as the UI's asset graph shows them, left to right.
GROUP_ORDER = (
    "raw",
    "staging",
    "panel",
    "marts",
    "effects",
    "start_here",
    "meta",
    "protected",
    "report",
    "publish",
)


def test_groups_read_left_to_right_and_every_asset_is_described():
    """No edge runs from a later group back to an earlier one, so the graph reads as the data
    flow; every asset and check has a description for the UI."""
    graph = defs.resolve_asset_graph()
    for key in graph.materializable_asset_keys:
        node = graph.get(key)
        assert node.group_name in GROUP_ORDER, key
        assert node.description and len(node.description) > 30, key
        for parent in node.parent_keys:
            before = GROUP_ORDER.index(graph.get(parent).group_name)
            assert before <= GROUP_ORDER.index(node.group_name), (parent, key)
    assert {graph.get(k).group_name for k in graph.materializable_asset_keys} == set(GROUP_ORDER)
    assert [k for k in graph.materializable_asset_keys if graph.get(k).group_name == "publish"] == [
        dg.AssetKey("published_warehouse")
    ]
    for check_def in defs.asset_checks:
        for spec in check_def.check_specs:
            assert spec.description, spec.key
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert ", ".join(f"`{g}`" for g in GROUP_ORDER) in " ".join(readme.split())
