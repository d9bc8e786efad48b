"""Helpers shared by the tests (imported as ``support``; no test module imports another)."""
