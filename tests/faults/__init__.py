"""The fault-injection suite (a package so its conftest does not clash with tests/conftest.py)."""
