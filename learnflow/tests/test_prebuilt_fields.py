"""Serializer fields built once per class: every instance still gets fields of its own, bound to
itself, so one instance's binding or context never shows in another's."""

from rest_framework import serializers

from learnflow.serializers import PrebuiltFields


class Inner(PrebuiltFields, serializers.Serializer):
    caller = serializers.SerializerMethodField()

    def get_caller(self, obj):
        return self.context["caller"]


class Outer(PrebuiltFields, serializers.Serializer):
    name = serializers.CharField(max_length=5)
    tags = serializers.ListField(child=serializers.CharField())
    inner = Inner(source="*", read_only=True)


def test_each_instance_gets_its_own_bound_fields():
    # given
    first, second = Outer(), Outer()
    # when
    first_fields, second_fields = first.fields, second.fields
    # then
    for name in ("name", "tags", "inner"):
        assert first_fields[name] is not second_fields[name]
        assert first_fields[name].parent is first
        assert second_fields[name].parent is second
    assert first_fields["tags"].child is not second_fields["tags"].child
    assert first_fields["inner"].fields["caller"] is not second_fields["inner"].fields["caller"]


def test_a_nested_serializer_sees_its_own_instances_context():
    # given
    row = {"name": "a", "tags": ["x"]}
    # when
    one = Outer(row, context={"caller": "one"}).data
    two = Outer(row, context={"caller": "two"}).data
    # then
    assert one == {"name": "a", "tags": ["x"], "inner": {"caller": "one"}}
    assert two == {"name": "a", "tags": ["x"], "inner": {"caller": "two"}}


def test_validation_is_unchanged():
    # given
    serializer = Outer(data={"name": "too long", "tags": "nope"})
    # when
    valid = serializer.is_valid()
    # then
    assert not valid
    assert set(serializer.errors) == {"name", "tags"}
    assert Outer(data={"name": "ok", "tags": ["a"]}).is_valid()
