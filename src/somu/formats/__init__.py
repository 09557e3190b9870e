"""How somu writes dates for people, in every language: one format per kind, read by the
``date`` template filter (``{{ day|date }}``), by ``{{ day }}`` and by ``formats.date_format``.

A day reads 2026-12-05 (土) everywhere (what most pages already wrote), a moment
2026-12-05 14:30; form inputs (type=date) and machines keep ISO 8601.
"""
