"""The test suite's settings: the real ones, with test defaults for what a deployment must set."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("DESKSIDE_SECRET_KEY", "test-suite-only-" + os.urandom(16).hex())
os.environ.setdefault("DESKSIDE_HTTPS", "0")
os.environ.setdefault("DESKSIDE_DATA_DIR", os.path.join(tempfile.gettempdir(), "deskside-test"))

from deskside.settings import *  # noqa: E402, F403

# The same Argon2 code path as production, with cheap parameters so thousands of hashes stay fast.
PASSWORD_HASHERS = ["deskside.core.testing.CheapArgon2PasswordHasher"]

# WhiteNoise warns when the collected-static folder is missing; tests serve through the finders.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# The suite's own process closes its connections after each request and test: a connection kept
# by a thread (a websocket test's executor) would stop the test database from being dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
