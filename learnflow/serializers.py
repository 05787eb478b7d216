"""Serializer machinery shared by every app.

DRF builds a serializer's fields anew for every instance: ``ModelSerializer.get_fields`` deep-copies the
declared fields and derives the others from the model (field kwargs, validators, choices), about a
millisecond of Python per serializer — on a ten-row list, more than rendering the rows. The result
depends only on the class, so ``PrebuiltFields`` builds it once per class and gives each instance
copies: a plain field is copied shallowly (binding sets the copy's own name, parent, label and
source; nothing else on a field changes after its ``__init__``), a field holding other fields (a
nested serializer, a ``ListField``'s child, a many-related field) is deep-copied as DRF does, so no
two instances ever share a bound field.
"""

import copy

from rest_framework import serializers


def _holds_fields(field) -> bool:
    return isinstance(field, serializers.BaseSerializer) or any(
        hasattr(field, attribute) for attribute in ("child", "child_relation")
    )


# Mixin for a ``Serializer``: its fields built once per class, copied for each instance. A class that
# chooses its fields per request (``get_fields`` reading the context) must not use it. (Comments, not
# docstrings: the OpenAPI schema would take a docstring as every undocumented serializer's description.)
class PrebuiltFields:
    def get_fields(self):
        prebuilt = type(self).__dict__.get("_prebuilt_fields")
        if prebuilt is None:  # two threads may both build it: the same result, one is kept
            prebuilt = super().get_fields()
            type(self)._prebuilt_fields = prebuilt
        return {
            name: copy.deepcopy(field) if _holds_fields(field) else copy.copy(field) for name, field in prebuilt.items()
        }


# A plain serializer whose declared fields are copied per instance the cheap way (see the module).
class Serializer(PrebuiltFields, serializers.Serializer):
    pass
