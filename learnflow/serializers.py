"""Serializer machinery shared by every app.

DRF builds a serializer's fields anew for every instance: ``ModelSerializer.get_fields`` deep-copies the
declared fields and derives the others from the model (field kwargs, validators, choices), about a
millisecond of Python per serializer — on a ten-row list, more than rendering the rows. The result
depends only on the class, so ``PrebuiltFields`` builds it once per class and gives each instance
copies: a plain field is copied shallowly (binding sets the copy's own name, parent, label and
source; nothing else on a field changes after its ``__init__``), a field holding other fields (a
nested serializer, a ``ListField``'s child, a many-related field) is deep-copied as DRF does, so no
two instances ever share a bound field.

Rendering a row, DRF walks every field's ``source`` through ``Field.get_attribute`` (a generic path:
mapping or attribute, callables called), and rebuilds the readable fields from a generator. A list
renders every row with one child serializer, so ``PrebuiltFields.to_representation`` lists the
readable fields once per serializer instance, and reads a plain field's value straight from a model
instance's ``__dict__`` (a loaded column or annotation) when ``getattr`` would return that very value;
anything else (dicts, deferred columns, properties, related objects, callables, ``source="*"``, method
fields, nested serializers, fields with their own ``get_attribute``) goes DRF's way. The output is
DRF's, value for value (``learnflow/tests/test_serializers.py`` compares them on every serializer).
"""

import copy
from collections.abc import Mapping

from django.db.models.query_utils import DeferredAttribute
from rest_framework import serializers
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject


def _holds_fields(field) -> bool:
    return isinstance(field, serializers.BaseSerializer) or any(
        hasattr(field, attribute) for attribute in ("child", "child_relation")
    )


def _instance_dict_wins(cls: type, name: str) -> bool:
    """Whether ``getattr(obj, name)``, for a ``cls`` instance holding ``name`` in its ``__dict__``, is
    that value: no custom ``__getattribute__``, and no data descriptor of that name on the class (or
    one that is Django's plain ``DeferredAttribute``, which reads the ``__dict__`` first)."""
    if cls.__getattribute__ is not object.__getattribute__:
        return False
    for klass in cls.__mro__:
        if name in vars(klass):
            attribute = type(vars(klass)[name])
            if getattr(attribute, "__get__", None) is DeferredAttribute.__get__:
                return True
            return not (hasattr(attribute, "__set__") or hasattr(attribute, "__delete__"))
    return True


def plain_source(field) -> str | None:
    """The one attribute a field reads with ``Field.get_attribute``'s generic path, else ``None``."""
    if type(field).get_attribute is Field.get_attribute and len(field.source_attrs) == 1:
        return field.source_attrs[0]
    return None


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

    # DRF's ``Serializer.to_representation``, with the readable fields listed once per instance and a
    # plain field of a model instance read from its ``__dict__`` (see the module).
    def to_representation(self, instance):
        fields = self.fields
        plan = self.__dict__.get("_representation_plan")
        if plan is None or plan[0] is not fields or plan[1] != len(fields):
            readable = [
                (field.field_name, field, plain_source(field), field.to_representation)
                for field in self._readable_fields
            ]
            plan = self.__dict__["_representation_plan"] = (fields, len(fields), readable, {})
        readable, fast_by_class = plan[2], plan[3]
        values = None if isinstance(instance, Mapping) else getattr(instance, "__dict__", None)
        if values is not None:
            cls = type(instance)
            fast = fast_by_class.get(cls)
            if fast is None:
                fast = fast_by_class[cls] = frozenset(
                    source for _, _, source, _ in readable if source is not None and _instance_dict_wins(cls, source)
                )
        ret = {}
        for name, field, source, represent in readable:
            if values is not None and source in fast and source in values:
                attribute = values[source]
                if callable(attribute):  # DRF calls a simple callable: its way
                    attribute = field.get_attribute(instance)
            else:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else represent(attribute)
        return ret


# A plain serializer whose declared fields are copied per instance the cheap way (see the module).
class Serializer(PrebuiltFields, serializers.Serializer):
    pass
