"""Schemathesis walks every operation of the OpenAPI schema as a signed-in user.

No example may cause a server error, and every documented response must match its schema. The
examples are bounded and derandomized so the suite stays fast and CI sees the same cases each run.
Each operation is its own test, so xdist spreads them over the workers.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from learnflow.testing import access_token_for
from learnflow.wsgi import application

EXAMPLES_PER_OPERATION = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    ignored_auth,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])


@pytest.fixture
def keep_test_transaction():
    """As Django's test client does: keep the test's transaction open across WSGI requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, user, keep_test_transaction):
    case.call_and_validate(headers={"Authorization": f"Bearer {access_token_for(user)}"}, checks=CHECKS)
