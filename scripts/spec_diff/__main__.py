"""`python -m scripts.spec_diff` (see scripts/spec_diff/cli.py)."""

from scripts.spec_diff.cli import main

raise SystemExit(main())
