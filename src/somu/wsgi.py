"""WSGI entry point for `somu serve` (gunicorn) and any other WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "somu.settings")
application = get_wsgi_application()
