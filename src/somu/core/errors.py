"""Domain errors: what a service raises when a request cannot be done, whoever asked.

They are not HTTP errors: the API answers :class:`Conflict` with 409 (:mod:`somu.core.api`), the
pages show its message; services, the worker and the command line raise and catch them alike.
(An invalid value is Django's ``ValidationError``; an unknown id ``ObjectDoesNotExist``.)
"""

from __future__ import annotations


class Conflict(Exception):
    """The request clashes with the current state: a concurrent decision already taken, a
    record that changed meanwhile, a name already used (409 in the API)."""
