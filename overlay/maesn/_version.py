"""The version of the maesn-client distribution: the last release's (0.0.0 before the first).

Only `nox -s release` changes it (scripts/release.py), together with CHANGELOG.md and a tag.
"""

__all__ = ["__version__"]

__version__ = "0.0.0"
