"""Settings of the `somu worker` processes the real-process tests start: the test settings plus
the test app's job kinds."""

from somu.settings_test import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "somu.jobs.tests.apps.TestJobsConfig"]  # noqa: F405
