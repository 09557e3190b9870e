"""API schemas of the procedures app, one module per subdomain like :mod:`somu.procedures.api`
(templates, runs, steps, schedules, handover); shared bases and enums in
:mod:`.common`.
"""
