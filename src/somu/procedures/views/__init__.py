"""The procedures pages, one module per subdomain (routes in :mod:`somu.procedures.urls`):

- :mod:`.steps` — my tasks and working on a step (save, complete, decide, reassign, reopen,
  comment, attach)
- :mod:`.runs` — runs: launch, list, detail, cancel; the board, the calendar and insights
- :mod:`.templates` — templates: list, editor, import/export, versions, the library
  (with :mod:`.template_editor` and :mod:`.template_graph`)
- :mod:`.schedules` — recurring launches
- :mod:`.handover` — 引継ぎ: preview, execute, history
"""
