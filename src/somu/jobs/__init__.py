"""Background jobs: the database-backed queue every app's background work runs through
(:mod:`somu.jobs.queue`), what apps register with it (:mod:`somu.jobs.registry`) and the worker
loop behind `somu worker` (:mod:`somu.jobs.worker`)."""
