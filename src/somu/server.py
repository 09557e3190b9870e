"""`somu serve`: gunicorn with several worker processes, configured from the environment."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any], banner: str) -> None:
        self.options = options
        self.banner = banner
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        banner = self.banner

        def when_ready(server: Any) -> None:
            if banner:
                print(banner, flush=True)

        self.cfg.set("when_ready", when_ready)

    def load(self) -> Any:
        from somu.wsgi import application

        return application


def run_server(*, host: str, port: int, workers: int | None = None, banner: str = "") -> None:
    workers = (
        workers or int(os.environ.get("SOMU_WORKERS", 0)) or multiprocessing.cpu_count() * 2 + 1
    )
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": int(os.environ.get("SOMU_THREADS", "1")),
        "timeout": int(os.environ.get("SOMU_TIMEOUT", "120")),
        "graceful_timeout": 20,
        # Recycle workers now and then so a slow leak can never grow a process without bound.
        "max_requests": 2000,
        "max_requests_jitter": 200,
        "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        # Access log without query strings: searches contain names (personal data).
        "accesslog": "-" if os.environ.get("SOMU_ACCESS_LOG", "1") != "0" else None,
        "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
        "errorlog": "-",
        "preload_app": True,
    }
    # Connections opened before the fork (migrate, demo load) must not be shared by the workers.
    from django.db import connections

    connections.close_all()
    _Gunicorn(options, banner).run()
