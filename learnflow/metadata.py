from rest_framework.metadata import SimpleMetadata


class SchemaFirstMetadata(SimpleMetadata):
    """``OPTIONS`` names the view, its renderers and parsers, and leaves field descriptions to
    the OpenAPI schema.

    DRF's default also describes the body of every POST/PUT by instantiating the view's object, which
    breaks on list-level PUT actions such as ``/api/users/profile/avatar`` (it expects a ``pk``).
    """

    def determine_actions(self, request, view):
        return {}
