"""The hostile-input corpus: many small broken extracts, each with its expected outcome."""
