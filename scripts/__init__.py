"""Maintainer tooling, run from the repository root as `python -m scripts.<name>`.

`scripts.regenerate` (spec → generated/maesn_api), `scripts.spec_diff` (pinned spec vs upstream),
`scripts.benchmark`; `scripts.spec_yaml` is the one YAML loader every reader of a spec uses.
"""
