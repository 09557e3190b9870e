"""Pure rules shared by the apps: no Django, no database, no import of any somu app.

The expression language of conditions (:mod:`.expr`), the Japanese business calendar
(:mod:`.calendar`), business-day due rules (:mod:`.due`) and recurring dates
(:mod:`.recurrence`). Procedures uses them today, approval routes next; a test
(``tests/test_purity.py``) keeps the package free of Django and of the apps.
"""
