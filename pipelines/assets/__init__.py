"""Dagster assets, one module per layer, with their checks beside them."""
