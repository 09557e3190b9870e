"""Reads of the expenses app for pages, the API and exports (no writes)."""
