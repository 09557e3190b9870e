"""Pure rules shared by the apps: no Django, no database, no import of any somu app.

The expression language of conditions (:mod:`.expr`), the Japanese business calendar
(:mod:`.calendar`), business-day due rules (:mod:`.due`), recurring dates
(:mod:`.recurrence`), form fields and the cleaning of their values (:mod:`.forms`) and
approval-route resolution (:mod:`.routing`). Procedures and approvals use them; a test
(``tests/test_purity.py``) keeps the package free of Django and of the apps.
"""
