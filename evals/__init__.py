"""Evaluations on hand-labelled letters (a package, so that its conftest never shadows tests/conftest.py)."""
