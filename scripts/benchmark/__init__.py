"""`python -m scripts.benchmark`: maesn against hand-written HTTP code, measured side by side.

See `__main__.py` for the method and BENCHMARKS.md for a run's table.
"""
