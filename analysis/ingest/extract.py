"""`extract.json`: the window an extract covers and, for synthetic registers, the generator's record.

Agreed format: `{"observation_start": "YYYY-MM-DD", "observation_end": "YYYY-MM-DD"}`, plus for
synthetic data only `"synthetic": true, "generator": "arbeidstrening <version>", "preset": "<name>",
"scale": <number>, "seed": <int>`. A real extract has no `synthetic` key. Unknown keys are
reported in a warning naming them (never an error: an extract may carry its own notes).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from analysis.contract import EXTRACT_FILE, EXTRACT_SYNTHETIC_KEYS, EXTRACT_WINDOW_KEYS
from analysis.ingest.errors import InputContractError

EXPECTED = (
    '{"observation_start": "YYYY-MM-DD", "observation_end": "YYYY-MM-DD"} '
    '(synthetic registers add "synthetic": true, "generator", "preset", "scale", "seed")'
)


@dataclass(frozen=True)
class ExtractSpec:
    """What extract.json says (everything None / False without the file)."""

    present: bool = False
    observation_start: dt.date | None = None
    observation_end: dt.date | None = None
    synthetic: bool = False
    generator: dict[str, object] = field(default_factory=dict)  # generator, preset, scale, seed
    unknown_keys: tuple[str, ...] = ()

    def run_info(self) -> dict[str, object]:
        """The entries `meta.run_info` carries: `synthetic` always, the generator's when given."""
        return {"synthetic": self.synthetic, **self.generator}


def parse_iso_date(value: object, where: str, key: str) -> dt.date:
    if not isinstance(value, str):
        raise InputContractError(where, f"{key} is not a date string", "YYYY-MM-DD", column=key)
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputContractError(
            where, f"{key} is not an ISO date", "YYYY-MM-DD", column=key
        ) from None


def read_extract_spec(input_dir: Path) -> ExtractSpec:
    """Parse `extract.json` in the input directory (absent: an empty spec)."""
    path = Path(input_dir) / EXTRACT_FILE
    if not path.exists():
        return ExtractSpec()
    if not path.is_file():
        raise InputContractError(EXTRACT_FILE, "is not a file", EXPECTED)
    try:
        spec = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputContractError(
            EXTRACT_FILE, f"cannot be read as JSON ({exc.__class__.__name__})", EXPECTED
        ) from None
    if not isinstance(spec, dict):
        raise InputContractError(EXTRACT_FILE, "is not a JSON object", EXPECTED)
    for key in EXTRACT_WINDOW_KEYS:
        if key not in spec:
            raise InputContractError(EXTRACT_FILE, f"key {key!r} missing", EXPECTED, column=key)
    start = parse_iso_date(spec["observation_start"], EXTRACT_FILE, "observation_start")
    end = parse_iso_date(spec["observation_end"], EXTRACT_FILE, "observation_end")
    synthetic = spec.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise InputContractError(
            EXTRACT_FILE, "synthetic is not true or false", EXPECTED, column="synthetic"
        )
    generator: dict[str, object] = {}
    for key, types in (("generator", str), ("preset", str), ("scale", int | float), ("seed", int)):
        if key not in spec:
            continue
        value = spec[key]
        if isinstance(value, bool) or not isinstance(value, types):
            raise InputContractError(
                EXTRACT_FILE, f"{key} has the wrong type", EXPECTED, column=key
            )
        generator[key] = value
    if generator and not synthetic:
        raise InputContractError(
            EXTRACT_FILE,
            f'{", ".join(generator)} given without "synthetic": true',
            "generator keys only in a synthetic register's extract.json",
        )
    known = set(EXTRACT_WINDOW_KEYS) | set(EXTRACT_SYNTHETIC_KEYS)
    unknown = tuple(sorted(k for k in spec if k not in known))
    return ExtractSpec(True, start, end, synthetic, generator, unknown)


__all__ = ["ExtractSpec", "parse_iso_date", "read_extract_spec"]
