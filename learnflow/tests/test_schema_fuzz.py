"""Schemathesis walks every operation of the OpenAPI schema as a signed-in user.

No example may cause a server error, and every documented response must match its schema. The
examples are bounded and derandomized so the suite stays fast and CI sees the same cases each run.
Each operation is its own test, so xdist spreads them over the workers.

The stateful test follows the schema's links (``learnflow.openapi.add_links``): it creates a
resource and goes on to read, update, act on and delete it, as a premium user, with the same checks
plus the stateful ones (a deleted resource is gone, a created one can be read).
"""

from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from accounts.choices import Tier
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

#: How many walks (create, then the operations its links lead to) the stateful test takes.
STATEFUL_WALKS = 60
STATEFUL_STEPS = 6
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]

linked_schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
# Only the links the schema declares: schemathesis would otherwise guess more from names and shapes.
linked_schema.config.phases.stateful.inference.algorithms = []
# Every call carries the user's token (the fuzz test above checks a missing or invalid one).
linked_schema.config.generation.update(with_security_parameters=False)


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


class LinkedWalk(linked_schema.as_state_machine()):
    """One walk over linked operations, signed in as ``token``'s user, undone when it ends."""

    token = ""
    #: (method, path template, status) of every call, to show the walks reach the linked operations.
    answered: Counter = Counter()

    def setup(self):
        self.savepoint = transaction.savepoint()

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    def after_call(self, response, case):
        super().after_call(response, case)
        self.answered[(case.method, case.path, response.status_code)] += 1

    def get_call_kwargs(self, case):
        return {"headers": {"Authorization": f"Bearer {self.token}"}}

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(
            response,
            checks=STATEFUL_CHECKS,
            headers=kwargs.get("headers"),
            transport_kwargs=kwargs or None,
            recorder=self.recorder,
        )


@pytest.mark.slow
def test_linked_operations_conform_to_the_schema(user, keep_test_transaction):
    user.tier = Tier.PREMIUM
    user.save(update_fields=["tier"])
    LinkedWalk.token = access_token_for(user)
    LinkedWalk.answered.clear()
    LinkedWalk.run(
        settings=settings(
            max_examples=STATEFUL_WALKS,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    # The walks went past the creates: linked operations on the created resources succeeded.
    linked = {(method, path) for method, path, status in LinkedWalk.answered if "{" in path and status < 300}
    assert len(linked) >= 10, sorted(LinkedWalk.answered.items())
