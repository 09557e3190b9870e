"""Reads for procedures, one module per subdomain (import the module you need):

- :mod:`.templates` — templates, versions, specs; describing due-date and assignee rules
- :mod:`.runs` — the run list with progress, a run's steps, timeline and parameter values
- :mod:`.steps` — a step as its assignee sees it; my tasks, the board, the due-date calendar,
  insights (the comparison with the work survey)

:func:`today` is here: every page and endpoint asks it what "today" is.
"""

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """Today in the site's time zone (Asia/Tokyo): what "due today" means."""
    return timezone.localdate()
