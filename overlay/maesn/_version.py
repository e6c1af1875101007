"""The version of the maesn-client distribution."""

__all__ = ["__version__"]

__version__ = "0.1.0.dev0"
