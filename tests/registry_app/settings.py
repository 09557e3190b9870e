from somu.settings_test import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.registry_app"]  # noqa: F405 (the one line an app adds)
