"""schemathesis fuzzes every operation of /api/schema/ on a live server.

The citizen signs in through /api/v1/auth/token/ like the mobile app (a
device-bound Bearer token plus ``X-Device-Id``), then ``st run`` sends
generated requests to every operation, with that token, and applies all its
checks: no 5xx, status codes, content types, headers and bodies as the
schema documents them. The run is bounded (``-n`` examples per operation,
``--max-time``) and seeded, so CI gets the same requests each time. Reports:
``artifacts/schemathesis/`` (JUnit XML and the console output).

Operations that end the token's life (revoke, refresh rotates the pair) are
left out: fuzzing them would sign the fuzzer out halfway.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import ARTIFACTS_DIR

pytestmark = [pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
MAX_TIME = int(os.environ.get("SCHEMATHESIS_MAX_TIME", "240"))
# What the API promises: no server error, and answers (status, content type,
# headers, body) as the schema documents them. The schema's input constraints
# are looser than the validators (an empty ``q`` is a 400 with a message), so
# the positive/negative acceptance checks are left out.
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
EXCLUDED = r"/api/v1/auth/token/(revoke|refresh)/"
DEVICE_ID = "fuzz-device-0001"


@pytest.fixture
def signed_in_token(live_server, demo_citizen) -> str:
    response = requests.post(
        live_server.url + "/api/v1/auth/token/",
        json={
            "username": demo_citizen.username,
            "password": "Mat-khau-fuzz-2026",
            "device_id": DEVICE_ID,
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()["access"]


def test_every_api_operation_survives_fuzzing_and_matches_its_schema(live_server, signed_in_token):
    folder = ARTIFACTS_DIR / "schemathesis"
    folder.mkdir(parents=True, exist_ok=True)
    st = Path(sys.executable).with_name("st")
    command = [
        str(st),
        "run",
        live_server.url + "/api/schema/",
        "--url",
        live_server.url,
        "-H",
        f"Authorization: Bearer {signed_in_token}",
        "-H",
        f"X-Device-Id: {DEVICE_ID}",
        "--checks",
        CHECKS,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "1",
        "--generation-deterministic",
        "--max-time",
        str(MAX_TIME),
        "--workers",
        "1",
        "--exclude-path-regex",
        EXCLUDED,
        "--report",
        "junit",
        "--report-dir",
        str(folder),
        "--no-color",
        "--output-truncate",
        "false",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    (folder / "output.txt").write_text(run.stdout + run.stderr, encoding="utf-8")
    tail = (run.stdout + run.stderr)[-6000:]
    assert run.returncode == 0, f"schemathesis found problems (see {folder}):\n{tail}"
