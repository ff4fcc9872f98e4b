"""Default locations, kept apart so the command-line tool starts without loading Dagster."""
