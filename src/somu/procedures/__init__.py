"""Procedures (手続き): templates of steps, runs launched from them, schedules and handovers.

A map of the app, by layer (each package is split by the same subdomains: templates, runs,
steps, schedules, handover):

- ``models.py`` — Template/TemplateVersion, Run, Step (+ events, attachments), Schedule,
  Handover
- ``engine/`` — pure, no Django: the YAML spec, expressions, due-date rules, recurrence, plans
- ``services/`` — writes: ``templates``, ``runs`` (launching) with ``launching`` (parameters,
  assignees), ``steps`` (the step state machine, cancelling runs), ``schedules``, ``handover``,
  ``library`` (the built-in templates in ``library/*.yaml``)
- ``selectors/`` — reads: ``templates``, ``runs``, ``steps`` (a step, my tasks, the board, the
  calendar, insights); ``selectors.today()`` is what "today" means
- ``api/`` — /api/v1/procedures/: one router per subdomain, schemas in ``schemas/``
- ``views/`` — the pages, one module per subdomain; routes in ``urls.py``; forms in
  ``forms_templates.py``, ``forms_runs.py``, ``forms_admin.py`` (schedules, handover)
- ``handover_excel.py`` — the 引継書 workbook (pages and API)
- ``services/notices.py`` — what procedures tells people (through :mod:`somu.notify`);
  ``digest.py`` — its section of the daily digest (overdue and due-soon steps);
  ``schedule_jobs.py`` — the worker's scheduled launches
- ``home.py`` — the home-page panels; ``demo.py`` — the demo data
- ``management/commands/`` — ``procedures_import``/``procedures_export`` (YAML)
- ``templates/procedures/`` — the HTML templates; ``tests/`` — the tests, next to the code
"""
