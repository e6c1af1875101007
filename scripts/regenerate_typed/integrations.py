"""Which integrations need a companyId or an environmentName, read from the integration table.

The typed methods' docstrings name them (an IDE shows it at the call). The table is
`overlay/maesn/_data/integrations.json`, the same data `maesn.Integration` profiles are built
from: it is an input of the regeneration (its hash is in the provenance, and `--check` fails when
the docstrings no longer match it).
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["INTEGRATIONS", "required_by"]

INTEGRATIONS = (
    Path(__file__).resolve().parents[2] / "overlay" / "maesn" / "_data" / "integrations.json"
)
_REQUIRED = "required-unless-interactive-auth"


def required_by(fact: str, table: Path = INTEGRATIONS) -> tuple[str, ...]:
    """The ids whose `fact` (`company_id`, `environment_name`) is required unless interactive auth."""
    rows = json.loads(table.read_text(encoding="utf-8"))["integrations"]
    return tuple(
        row["id"]
        for row in rows
        if any(f["name"] == fact and f["value"] == _REQUIRED for f in row.get("facts", ()))
    )
