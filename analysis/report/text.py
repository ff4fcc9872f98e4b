"""A chapter's prose in both languages, kept with the chapter that uses it.

Every chapter module holds one :class:`Texts`: ``key -> (bokmål, English)``, with ``{named}``
fields filled when the text is used. Both versions of a text must name the same fields, so the
English report can never say something the bokmål one does not (checked when the module is
imported, and by the tests over every chapter).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

_FORMATTER = string.Formatter()


def fields(text: str) -> set[str]:
    """The ``{named}`` fields of a format string (``{{`` and ``}}`` are literal braces)."""
    return {name for _, name, _, _ in _FORMATTER.parse(text) if name}


def english(text: str) -> str:
    """English writes 95%, bokmål 95 % (with a space): drop the space before a percent sign."""
    return re.sub(r"(\d)[ \u00a0]%", r"\1%", text)


class Texts:
    """``key -> (nb, en)`` text pairs of one chapter; ``texts(key, lang, **values)``."""

    def __init__(self, pairs: Mapping[str, tuple[str, str]]):
        for key, pair in pairs.items():
            if not (isinstance(pair, tuple) and len(pair) == 2):
                raise ValueError(f"text {key!r}: expected a (bokmål, English) pair")
            nb, en = pair
            if fields(nb) != fields(en):
                raise ValueError(
                    f"text {key!r}: bokmål fields {sorted(fields(nb))} differ from English "
                    f"{sorted(fields(en))}"
                )
        self.pairs = dict(pairs)

    def __call__(self, key: str, lang: str, **values: object) -> str:
        nb, en = self.pairs[key]
        text = (nb if lang == "nb" else en).format(**values)
        return text if lang == "nb" else english(text)

    def __contains__(self, key: str) -> bool:
        return key in self.pairs

    def keys(self):
        return self.pairs.keys()


__all__ = ["Texts", "english", "fields"]
