"""Writes for procedures, one module per subdomain (import the module you need; nothing is
re-exported here):

- :mod:`.templates` — saving, importing, archiving templates and linking them to tasks
- :mod:`.runs` — launching one run or many (bulk inserts of runs, steps and events)
- :mod:`.launching` — the launch machinery: parameter values, assignees, default names
- :mod:`.steps` — the step state machine: complete, decide, reassign, reopen, comment, attach,
  and cancelling or advancing a run
- :mod:`.schedules` — recurring launches and their failures
- :mod:`.handover` — 引継ぎ: moving a person's open steps, rules and ownerships to another
- :mod:`.library` — the built-in template library and adopting from it
"""
