"""Effects on the outcomes the study is about: by months since exit, and each purpose's own
intended outcome (issue 11, item 5). See METHODS.md beside this file."""

from analysis.outcomes.build import build_effects_outcomes

__all__ = ["build_effects_outcomes"]
