"""Settings for the test suite: the production settings with a throw-away data directory."""

import os
import tempfile

os.environ.setdefault("SOMU_DATA_DIR", tempfile.mkdtemp(prefix="somu-test-"))

from somu.settings import *  # noqa: F403

# Hashing passwords at full strength makes every login in the suite slow; nothing else changes.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
