"""Every write of the expenses app (see docs/developing.md)."""
