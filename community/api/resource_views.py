"""Resources and the caller's progress on them (the StudySync seed's paths under ``/api/resources/``).

Every resource is looked up among those the caller may see (their personal library and their groups'
libraries), so anyone else's resource is a 404. Rules live in ``community.resources`` and
``community.progress``."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.api.serializers import UploadTooLargeSerializer
from community import progress, resources, selectors
from community.choices import ProgressStatus, ResourceType
from community.models import Group, Resource, ResourceProgress
from learnflow.filters import FilterBackend, SearchFilter
from learnflow.openapi import errors
from learnflow.parsers import JSONParser
from learnflow.routers import UUID_REGEX
from learnflow.views import OwnedQuerysetMixin

from .resource_serializers import (
    MakePersonalSerializer,
    MoveSerializer,
    ResourceProgressSerializer,
    ResourceProgressStatsSerializer,
    ResourceProgressWriteSerializer,
    ResourceSerializer,
    ResourceStatsSerializer,
    ResourceUpdateSerializer,
    ResourceUploadSerializer,
    ShareSerializer,
)


class ResourceFilter(django_filters.FilterSet):
    resource_type = django_filters.ChoiceFilter(choices=ResourceType.choices)
    parent_folder = django_filters.UUIDFilter(field_name="parent_folder_id", label="only what is in this folder")
    top_level = django_filters.BooleanFilter(
        field_name="parent_folder", lookup_expr="isnull", label="only what is in no folder"
    )
    group = django_filters.UUIDFilter(field_name="group_id", label="only this group's resources")

    class Meta:
        model = Resource
        fields = ("resource_type", "parent_folder", "top_level", "group")


class ProgressFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProgressStatus.choices)

    class Meta:
        model = ResourceProgress
        fields = ("status",)


#: For actions that answer one object: no list filters or pagination in their schema.
_ONE = {"filter_backends": [], "pagination_class": None}


class ResourceViewSet(
    OwnedQuerysetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """``GET /api/resources/`` and ``/api/resources/all`` list every resource the caller can see;
    ``personal`` and ``group/{id}`` list one library. Filters: ``resource_type``, ``parent_folder``,
    ``top_level``, ``group``, ``search`` (title and description), ``ordering``."""

    serializer_class = ResourceSerializer
    filterset_class = ResourceFilter
    filter_backends = [FilterBackend, SearchFilter, filters.OrderingFilter]
    search_fields = ("title", "description")
    ordering_fields = ("created_at", "updated_at", "title")
    lookup_value_regex = UUID_REGEX
    owned_model = Resource
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def owned_queryset(self, user):
        return resources.resources_for_listing(resources.resources_visible(user=user), user=user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request and self.request.user.is_authenticated:
            context["roles"] = selectors.my_roles(user=self.request.user)
        return context

    def _respond(self, resource: Resource, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=resource.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def _list(self, queryset) -> Response:
        queryset = self.filter_queryset(resources.resources_for_listing(queryset, user=self.request.user))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_parsers(self):
        # Only creating takes a file; ``action`` is not known yet when the parsers are chosen.
        action = getattr(self, "action", None) or getattr(self, "action_map", {}).get(self.request.method.lower())
        if action == "create":
            return [JSONParser(), MultiPartParser()]
        return super().get_parsers()

    @errors(403, 503)
    @extend_schema(
        request={"application/json": ResourceSerializer, "multipart/form-data": ResourceUploadSerializer},
        responses={
            201: ResourceSerializer,
            413: OpenApiResponse(
                UploadTooLargeSerializer,
                description="The body or the file is over its limit (per type: `LEARNFLOW_UPLOAD_MAX_BYTES`), "
                "or the storage quota has no room for the file (`remaining_bytes`, `quota_bytes`).",
            ),
        },
        description="JSON: a link, a folder, or a file / image / video given by its URL. Multipart: a file, "
        "image or video resource with its `file` uploaded (type decided by the bytes, images re-encoded "
        "without metadata and given a thumbnail); a file of the wrong type or a corrupt image is a 400 "
        "naming `file`, one over its size limit or your quota a 413.",
    )
    def create(self, request, *args, **kwargs):
        """Add a resource to your personal library, or to a group's with ``group_id``."""
        if request.content_type.startswith("multipart/form-data"):
            serializer = ResourceUploadSerializer(data=request.data)
        else:
            serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resource = resources.resource_create(user=request.user, **serializer.validated_data)
        return self._respond(resource, status.HTTP_201_CREATED)

    @errors(403, 409)
    @extend_schema(request=ResourceUpdateSerializer, responses=ResourceSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Edit details, or put it in another folder of its library (``parent_folder_id``)."""
        serializer = ResourceUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resource = resources.resource_update(
            user=request.user, resource=self.get_object(), data=serializer.validated_data
        )
        return self._respond(resource)

    @errors(403, 409)
    def perform_destroy(self, instance):
        resources.resource_delete(user=self.request.user, resource=instance)

    @extend_schema(responses=ResourceSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="all")
    def all(self, request):
        """Every resource you can see (the same as ``GET /api/resources/``)."""
        return self.list(request)

    @extend_schema(responses=ResourceSerializer(many=True))
    @action(detail=False, methods=["get"])
    def personal(self, request):
        """Your personal library."""
        return self._list(resources.personal_resources(user=request.user))

    @errors(403)
    @extend_schema(responses=ResourceSerializer(many=True))
    @action(detail=False, methods=["get"], url_path=rf"group/(?P<group_id>{UUID_REGEX})")
    def group(self, request, group_id=None):
        """A group's library, for its members (403 in a public group, 404 in a private one)."""
        group = get_object_or_404(Group, pk=group_id, is_active=True)
        return self._list(resources.group_resources(user=request.user, group=group))

    @errors(403, 409)
    @extend_schema(request=ShareSerializer, responses=ResourceSerializer)
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        """Move a personal resource (a folder with its contents) into a group's library."""
        serializer = ShareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resource = resources.resource_share(user=request.user, resource=self.get_object(), **serializer.validated_data)
        return self._respond(resource)

    @errors(403, 409)
    @extend_schema(request=MakePersonalSerializer, responses=ResourceSerializer)
    @action(detail=True, methods=["post"], url_path="make-personal")
    def make_personal(self, request, pk=None):
        """Take your own group resource back into your personal library."""
        serializer = MakePersonalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resource = resources.resource_make_personal(
            user=request.user, resource=self.get_object(), **serializer.validated_data
        )
        return self._respond(resource)

    @errors(403, 409)
    @extend_schema(request=MoveSerializer, responses=ResourceSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move to another group's library (``group_id``), to your personal one (``null``), or to
        another folder (``parent_folder_id``)."""
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resource = resources.resource_move(user=request.user, resource=self.get_object(), **serializer.validated_data)
        return self._respond(resource)

    @extend_schema(responses=ResourceStatsSerializer)
    @action(detail=False, methods=["get"], url_path="stats/me", **_ONE)
    def stats(self, request):
        """What you added, by library and type, how many resources you can see, and what your
        uploaded files take of your storage quota (``storage``)."""
        return Response(ResourceStatsSerializer(resources.resource_stats(user=request.user)).data)

    @extend_schema(request=ResourceProgressWriteSerializer, responses=ResourceProgressSerializer)
    @action(detail=True, methods=["post"], url_path="progress", **_ONE)
    def progress(self, request, pk=None):
        """Record your progress: any of ``status``, ``progress_percentage`` and ``notes``."""
        serializer = ResourceProgressWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = progress.progress_update(user=request.user, resource=self.get_object(), **serializer.validated_data)
        return Response(ResourceProgressSerializer(record).data)

    @extend_schema(methods=["GET"], responses=ResourceProgressSerializer)
    @extend_schema(methods=["DELETE"], responses={204: None})
    @action(detail=True, methods=["get", "delete"], url_path="progress/me", **_ONE)
    def my_progress(self, request, pk=None):
        """Your progress on this resource (``not_started`` when you have none); DELETE forgets it."""
        resource = self.get_object()
        if request.method == "DELETE":
            progress.progress_reset(user=request.user, resource=resource)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ResourceProgressSerializer(progress.progress_of(user=request.user, resource=resource)).data)

    @errors(400)
    @extend_schema(request=None, responses=ResourceProgressSerializer)
    @action(detail=True, methods=["post"], url_path="mark-started", **_ONE)
    def mark_started(self, request, pk=None):
        record = progress.progress_mark_started(user=request.user, resource=self.get_object())
        return Response(ResourceProgressSerializer(record).data)

    @errors(400)
    @extend_schema(request=None, responses=ResourceProgressSerializer)
    @action(detail=True, methods=["post"], url_path="mark-completed", **_ONE)
    def mark_completed(self, request, pk=None):
        record = progress.progress_mark_completed(user=request.user, resource=self.get_object())
        return Response(ResourceProgressSerializer(record).data)

    @extend_schema(
        responses=ResourceProgressSerializer(many=True),
        parameters=[OpenApiParameter("status", enum=ProgressStatus.values, description="only this status")],
    )
    @action(detail=False, methods=["get"], url_path="my-progress", filter_backends=[])
    def my_progress_list(self, request):
        """Your progress on every resource you can see, most recently updated first (``?status=``)."""
        filterset = ProgressFilter(request.GET, queryset=progress.progress_list(user=request.user))
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(ResourceProgressSerializer(page, many=True).data)

    @extend_schema(responses=ResourceProgressStatsSerializer)
    @action(detail=False, methods=["get"], url_path="progress/stats", **_ONE)
    def progress_stats(self, request):
        """Counts by status, completion rate, average percentage, completed in the last 7 days."""
        return Response(ResourceProgressStatsSerializer(progress.progress_stats(user=request.user)).data)
