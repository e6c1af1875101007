"""Tests of the `maesn` command line (a package so its conftest does not clash with others)."""
