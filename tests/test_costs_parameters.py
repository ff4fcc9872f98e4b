"""The cost parameter file: documented values, overrides merged key by key, errors naming keys."""

from __future__ import annotations

import tomllib

import pytest

from analysis.costs.parameters import (
    BASES,
    DEFAULT_PARAMETERS_PATH,
    ParameterError,
    load_parameters,
)


def write(tmp_path, text, name="override.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_every_parameter_is_documented():
    params = load_parameters()
    raw = tomllib.loads(DEFAULT_PARAMETERS_PATH.read_text(encoding="utf-8"))
    n = sum(len(v) for v in raw.values())
    assert len(params) == n >= 20
    for key, p in params.items():
        assert p.unit and p.source and len(p.source) > 20, key
        assert p.basis in BASES, key
        assert p.origin == "default"
        if not p.is_series:
            assert isinstance(p.year, int), key


def test_required_parameters_and_plausible_values():
    p = load_parameters()
    assert p.number("general.discount_rate") == 0.04
    assert p.number("general.tax_financing_cost") == 0.20
    assert "R-109/2021" in p["general.discount_rate"].source
    assert "R-109/2021" in p["general.tax_financing_cost"].source
    assert p["general.discount_rate"].basis == "official"
    assert 0.15 <= p.number("taxes.tax_rate_on_earnings") <= 0.35
    assert p["costs.nav_follow_up"].basis == "project assumption"
    # G from 1 May (official)
    assert p.rate("benefit_rates.grunnbelop", 2016) == 92_576
    assert p.rate("benefit_rates.grunnbelop", 2024) == 124_028
    for kind in ("aap", "dagpenger", "tiltakspenger", "sosialhjelp", "uforetrygd", "kvp"):
        for year in range(2016, 2025):
            monthly = p.rate(f"benefit_rates.{kind}", year)
            g_month = p.rate("benefit_rates.grunnbelop", year) / 12
            assert 0.3 * g_month < monthly < 3.5 * g_month, (kind, year)
    # KVP is 2 G a year by rule
    assert p.rate("benefit_rates.kvp", 2020) == pytest.approx(2 * 101_351 / 12, abs=10)


def test_override_is_merged_key_by_key(tmp_path):
    path = write(
        tmp_path,
        """
[costs.nav_follow_up]
value = 4000

[benefit_rates.aap.value]
2019 = 20000
2026 = 26000

[valuation.benefit_value_method]
value = "fixed"
source = "we value every benefit month alike"
""",
    )
    p = load_parameters(path)
    nav = p["costs.nav_follow_up"]
    default = load_parameters()["costs.nav_follow_up"]
    assert nav.value == 4000
    assert (nav.unit, nav.year, nav.source, nav.basis) == (
        default.unit,
        default.year,
        default.source,
        default.basis,
    )
    assert nav.origin == f"override: {path}"
    assert p.rate("benefit_rates.aap", 2019) == 20000
    assert p.rate("benefit_rates.aap", 2018) == 18570  # other years keep the default
    assert p.rate("benefit_rates.aap", 2026) == 26000  # series may be extended
    assert p.value("valuation.benefit_value_method") == "fixed"
    assert p["valuation.benefit_value_method"].source == "we value every benefit month alike"
    # untouched parameters keep origin default
    assert p["general.discount_rate"].origin == "default"


@pytest.mark.parametrize(
    "text, message",
    [
        ("[costs.nav_folow_up]\nvalue = 1\n", "costs.nav_folow_up"),
        ("[costz.nav_follow_up]\nvalue = 1\n", "costz"),
        ("[costs.nav_follow_up]\nvalu = 1\n", "costs.nav_follow_up.valu"),
        ("[benefit_rates.aap.value]\nyear2019 = 1\n", "benefit_rates.aap.value.year2019"),
        ('[costs.nav_follow_up]\nvalue = "many"\n', "costs.nav_follow_up.value must be a number"),
        ("[costs.nav_follow_up]\nvalue = -5\n", "costs.nav_follow_up.value"),
        ("[general.discount_rate]\nvalue = 4\n", "general.discount_rate.value"),
        ('[valuation.benefit_value_method]\nvalue = "average"\n', "benefit_value_method"),
        ("[benefit_rates.aap]\nvalue = 20000\n", "benefit_rates.aap.value must be a table"),
        ('[method.cost_base_status_groups]\nvalue = ["ARBEIDSSOKER", "X"]\n', "'X'"),
        ("[general.price_year]\nvalue = 2030\n", "no grunnbelop"),
        ("costs = 1\n", "'costs' must be a section"),
        ("[costs.nav_follow_up\nvalue = 1\n", "not valid TOML"),
    ],
)
def test_bad_override_is_an_error_naming_the_key(tmp_path, text, message):
    with pytest.raises(ParameterError, match=None) as e:
        load_parameters(write(tmp_path, text))
    assert message in str(e.value)


def test_missing_override_file(tmp_path):
    with pytest.raises(ParameterError, match="does not exist"):
        load_parameters(tmp_path / "nope.toml")


def test_year_outside_series_is_an_error_not_a_guess():
    p = load_parameters()
    with pytest.raises(ParameterError, match=r"benefit_rates.aap.*2030"):
        p.rate("benefit_rates.aap", 2030)


def test_with_values_for_sensitivity():
    p = load_parameters()
    q = p.with_values({"general.discount_rate": 0.06})
    assert q.number("general.discount_rate") == 0.06
    assert q["general.discount_rate"].origin == "sensitivity"
    assert p.number("general.discount_rate") == 0.04
