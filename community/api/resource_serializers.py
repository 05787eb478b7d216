"""Shapes of the resource and resource-progress API (the StudySync seed's paths)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import StorageUsageSerializer, UploadedFileSerializer, UserSummarySerializer
from community import resources
from community.choices import UPLOAD_RESOURCE_TYPES, ProgressStatus, ResourceType
from community.models import Resource, ResourceProgress
from learnflow import dates
from learnflow.dates import ModelSerializer
from learnflow.validators import WebURLValidator

MAX_FILE_SIZE = 10**13  # 10 TB: every real file, and still exact in a JavaScript number


def _url_field(**kwargs) -> serializers.CharField:
    """A resource links to content elsewhere, so its URL is absolute ``http(s)``: a path on this
    site names nothing a resource could be."""
    return serializers.CharField(
        max_length=2000, validators=[WebURLValidator(allow_site_path=False)], help_text="http or https", **kwargs
    )


class MyProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProgressStatus.choices)
    progress_percentage = serializers.IntegerField()


class ResourceSerializer(ModelSerializer):
    """A resource as the caller sees it: ``can_manage`` says whether they may edit, move or delete
    it, ``my_progress`` is their own progress (``null`` when they have none), ``item_count`` the
    number of things directly inside a folder (``null`` for anything else), ``file`` the uploaded
    file with short-lived URLs (``null`` for a resource given by URL; ``url`` is empty for an upload)."""

    group_id = serializers.UUIDField(required=False, allow_null=True, help_text="null or absent: personal")
    parent_folder_id = serializers.UUIDField(required=False, allow_null=True, help_text="null or absent: top level")
    url = _url_field(required=False, allow_blank=True, default="")
    file_size = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_FILE_SIZE)
    file = UploadedFileSerializer(source="upload", read_only=True, allow_null=True)
    uploaded_by = UserSummarySerializer(read_only=True)
    item_count = serializers.SerializerMethodField()
    can_manage = serializers.SerializerMethodField()
    my_progress = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = (
            "id", "title", "description", "resource_type", "url", "file_size", "file", "group_id", "parent_folder_id",
            "uploaded_by", "item_count", "can_manage", "my_progress", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = ("id", "created_at", "updated_at")

    def validate(self, attrs):
        if attrs["resource_type"] == ResourceType.FOLDER:
            if attrs.get("url"):
                raise serializers.ValidationError({"url": ["A folder has no URL."]})
        elif not attrs.get("url"):
            raise serializers.ValidationError({"url": ["This resource needs a URL."]})
        return attrs

    def get_item_count(self, resource) -> int | None:
        if resource.resource_type != ResourceType.FOLDER:
            return None
        return getattr(resource, "item_count", None)

    def get_can_manage(self, resource) -> bool:
        request = self.context.get("request")
        if request is None:
            return False
        role = self.context.get("roles", {}).get(resource.group_id)
        return resources.can_manage(resource=resource, user=request.user, role=role)

    @extend_schema_field(MyProgressSerializer(allow_null=True))
    def get_my_progress(self, resource):
        mine = getattr(resource, "mine", None)
        return MyProgressSerializer(mine[0]).data if mine else None


class ResourceUploadSerializer(serializers.Serializer):
    """A file, image or video resource with its file uploaded (``multipart/form-data``). The type is
    decided by the file's bytes: an image is JPEG, PNG, WebP or GIF; a video MP4, WebM or QuickTime;
    a file a document (PDF, Word, Excel, PowerPoint, OpenDocument, RTF, EPUB, ZIP, UTF-8 plain text)
    or an image. SVG, HTML and anything else are refused."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    resource_type = serializers.ChoiceField(choices=UPLOAD_RESOURCE_TYPES, help_text="file, image or video")
    group_id = serializers.UUIDField(required=False, allow_null=True, help_text="absent: personal")
    parent_folder_id = serializers.UUIDField(required=False, allow_null=True, help_text="absent: top level")
    file = serializers.FileField(help_text="the file; its size limit depends on resource_type")

    def validate(self, attrs):
        for field in ("url", "file_size"):
            if field in self.initial_data:
                raise serializers.ValidationError(
                    {field: ["An uploaded file takes no URL or size: send the file alone."]}
                )
        return attrs


class ResourceUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    resource_type = serializers.ChoiceField(choices=ResourceType.choices, required=False)
    url = _url_field(required=False, allow_blank=True)
    file_size = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_FILE_SIZE)
    parent_folder_id = serializers.UUIDField(required=False, allow_null=True, help_text="null: top level")


class ShareSerializer(serializers.Serializer):
    group_id = serializers.UUIDField()
    parent_folder_id = serializers.UUIDField(required=False, allow_null=True)


class MakePersonalSerializer(serializers.Serializer):
    parent_folder_id = serializers.UUIDField(required=False, allow_null=True)


class MoveSerializer(serializers.Serializer):
    group_id = serializers.UUIDField(allow_null=True, help_text="null: the personal library")
    parent_folder_id = serializers.UUIDField(required=False, allow_null=True)


class ResourceStatsSerializer(serializers.Serializer):
    accessible = serializers.IntegerField(help_text="resources you can see, yours and your groups'")
    total = serializers.IntegerField(help_text="resources you added")
    personal = serializers.IntegerField()
    in_groups = serializers.IntegerField()
    added_last_7_days = serializers.IntegerField()
    total_file_size = serializers.IntegerField(help_text="bytes")
    by_type = serializers.DictField(child=serializers.IntegerField())
    storage = StorageUsageSerializer(help_text="what your uploaded files take of your storage quota")


class CanManageSerializer(serializers.Serializer):
    role = serializers.CharField(allow_null=True)
    can_add = serializers.BooleanField(help_text="may add resources to the group")
    can_manage_all = serializers.BooleanField(help_text="may edit, move and delete every resource of the group")


class ResourceProgressWriteSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProgressStatus.choices, required=False)
    progress_percentage = serializers.IntegerField(required=False, min_value=0, max_value=100)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send a status, a progress_percentage or notes.")
        return attrs


class ResourceBriefSerializer(ModelSerializer):
    group_id = serializers.UUIDField(allow_null=True)
    url = serializers.CharField(help_text="empty for a folder or an uploaded file")

    class Meta:
        model = Resource
        fields = ("id", "title", "resource_type", "url", "group_id")
        read_only_fields = fields


class ResourceProgressSerializer(ModelSerializer):
    """The caller's progress on a resource; ``last_updated`` is ``null`` while nothing is recorded."""

    resource = ResourceBriefSerializer(read_only=True)
    last_updated = dates.DateTimeField(source="updated_at", read_only=True, allow_null=True)

    class Meta:
        model = ResourceProgress
        fields = (
            "resource", "status", "progress_percentage", "notes", "started_at", "completed_at", "last_updated",
        )  # fmt: skip
        read_only_fields = fields


class ResourceProgressStatsSerializer(serializers.Serializer):
    total_tracked = serializers.IntegerField()
    not_started = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    completed = serializers.IntegerField()
    paused = serializers.IntegerField()
    completion_rate = serializers.FloatField(help_text="completed of tracked, in percent")
    average_progress = serializers.FloatField(help_text="average percentage")
    completed_last_7_days = serializers.IntegerField()
