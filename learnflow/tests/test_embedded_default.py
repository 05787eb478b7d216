"""The embedded default (``make run``: SQLite, the file system, no server) answers every read without a
5xx. The suite runs on PostgreSQL, as production does, so a query only PostgreSQL accepts would pass
it; ``embedded_probe.py`` reads the API as a user with data on a fresh SQLite database instead."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("embedded_probe.py")


@pytest.mark.slow
def test_every_read_answers_on_the_embedded_default(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS_URL", "DJANGO_", "CELERY_", "S3_", "LEARNFLOW_"))
    }
    env["LEARNFLOW_VAR_DIR"] = str(tmp_path)

    probe = subprocess.run([sys.executable, str(PROBE)], env=env, capture_output=True, text=True, timeout=300)

    assert probe.returncode == 0, probe.stdout[-5000:] + probe.stderr[-5000:]
    assert " 0 failed" in probe.stdout
