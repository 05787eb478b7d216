"""Resources: personal and group libraries with folders, sharing and moving.

A resource without a group is personal: its uploader's alone. A group resource is visible to the
group's members; in a community group any member adds resources, in a leader-controlled one only
leaders and admins do. A resource is managed (edited, moved, deleted) by the group's leaders and
admins, and by its uploader while they may still add to that library. Only its uploader takes a
resource to another library (another group, or their personal one), and a folder only when
everything in it is theirs.

A folder and everything in it stay in one library: moving a folder moves its contents, deleting it
deletes them (softly). Folders nest at most ``Resource.FOLDER_DEPTH`` deep and never inside
themselves. Changes to a library's folder structure lock the library (its group row, or its owner's
user row), so two parallel moves can never build a cycle.

A file, image or video is a URL or an uploaded file (``accounts.uploads``, on its uploader's quota):
the upload moves with the resource, never changes, and is deleted for good when the resource is.
"""

import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts import uploads
from accounts.choices import UploadPurpose
from accounts.models import Upload
from learnflow.exceptions import Conflict

from .choices import GroupType, ResourceType, Role, Visibility
from .models import Group, Membership, Resource, ResourceProgress
from .services import MANAGERS, role_of

RECENT_DAYS = 7

#: What an uploaded file may be, by the bytes, for each resource type that takes one.
UPLOAD_TYPES = {
    ResourceType.FILE: {**uploads.DOCUMENT_TYPES, **uploads.IMAGE_TYPES},
    ResourceType.IMAGE: uploads.IMAGE_TYPES,
    ResourceType.VIDEO: uploads.VIDEO_TYPES,
}

#: The endpoint that takes resource uploads (for the request body limit, ``hooks.upload_limits``).
UPLOAD_PATH = re.compile(r"^/api/resources/?$")


def upload_limit(*, path: str) -> int | None:
    """The largest file ``POST /api/resources/`` may carry: the largest limit of any type (each
    type's own limit is checked once the type is known)."""
    return max(settings.LEARNFLOW_UPLOAD_MAX_BYTES.values()) if UPLOAD_PATH.match(path) else None


# --- who may do what -------------------------------------------------------------------------------


def can_add(*, group: Group, role: str | None) -> bool:
    """Leaders and admins add to any group's library; members only to a community group's."""
    return role in MANAGERS or (role == Role.MEMBER and group.group_type == GroupType.COMMUNITY)


def can_manage(*, resource: Resource, user, role: str | None) -> bool:
    """``role`` is the user's role in the resource's group (ignored for a personal resource)."""
    if resource.group_id is None:
        return resource.uploaded_by_id == user.pk
    if role in MANAGERS:
        return True
    return resource.uploaded_by_id == user.pk and can_add(group=resource.group, role=role)


def _require_manage(resource: Resource, user) -> str | None:
    role = role_of(group=resource.group_id, user=user) if resource.group_id else None
    if not can_manage(resource=resource, user=user, role=role):
        raise PermissionDenied("Only the group's leaders and admins, or the uploader, can change this resource.")
    return role


def _target_group(group_id, user) -> Group:
    """A group the user may add to; a group they are not in reads as absent (400 naming ``group_id``)."""
    membership = (
        Membership.objects.filter(group_id=group_id, user=user, group__is_active=True).select_related("group").first()
    )
    if membership is None:
        raise ValidationError({"group_id": ["You are not a member of a group with this id."]})
    if not can_add(group=membership.group, role=membership.role):
        raise PermissionDenied("Only the group's leaders and admins add resources to this group.")
    return membership.group


# --- reads ----------------------------------------------------------------------------------------


def resources_visible(*, user) -> QuerySet[Resource]:
    """Every resource the user may see: their personal ones and those of their active groups. The
    group ids are read first, so the database can answer both halves from an index."""
    my_groups = list(Membership.objects.filter(user=user, group__is_active=True).values_list("group_id", flat=True))
    return Resource.objects.filter(is_deleted=False).filter(
        Q(group__isnull=True, uploaded_by=user) | Q(group_id__in=my_groups)
    )


def resources_for_listing(queryset: QuerySet[Resource], *, user) -> QuerySet[Resource]:
    """What the resource serializer reads, in a fixed number of queries: the uploader, group and
    upload joined, a folder's item count as a subquery, and the caller's own progress prefetched."""
    items = (
        Resource.objects.filter(parent_folder=OuterRef("pk"), is_deleted=False)
        .order_by()
        .values("parent_folder")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        queryset.select_related("uploaded_by", "group", "upload")
        .annotate(item_count=Coalesce(Subquery(items, output_field=IntegerField()), 0))
        .prefetch_related(Prefetch("progress", queryset=ResourceProgress.objects.filter(user=user), to_attr="mine"))
    )


def personal_resources(*, user) -> QuerySet[Resource]:
    return resources_visible(user=user).filter(group__isnull=True)


def group_resources(*, user, group: Group) -> QuerySet[Resource]:
    """A group's library, for its members: in a public group an outsider is refused (403), in a
    private one the group does not exist for them (404)."""
    if not group.is_active:
        raise Http404
    if role_of(group=group, user=user) is None:
        if group.visibility == Visibility.PRIVATE:
            raise Http404
        raise PermissionDenied("Only members see the group's resources.")
    return Resource.objects.filter(group=group, is_deleted=False)


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _sql_id(value):
    return Resource._meta.pk.get_db_prep_value(_as_uuid(value), connection)


def folder_path(folder_id) -> list[uuid.UUID]:
    """The folder and its ancestors, innermost first (one recursive query)."""
    table = Resource._meta.db_table
    sql = f"""
        WITH RECURSIVE up(id, parent_id, depth) AS (
            SELECT id, parent_folder_id, 1 FROM {table} WHERE id = %s
            UNION ALL
            SELECT r.id, r.parent_folder_id, up.depth + 1 FROM {table} r JOIN up ON r.id = up.parent_id
            WHERE up.depth <= %s
        )
        SELECT id FROM up ORDER BY depth
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [_sql_id(folder_id), Resource.FOLDER_DEPTH + 1])
        return [_as_uuid(row[0]) for row in cursor.fetchall()]


def subtree(root: Resource) -> list[tuple[uuid.UUID, str, uuid.UUID, int]]:
    """The resource and everything below it that is not deleted, as ``(id, type, uploader, level)``
    with the resource itself at level 1 (one recursive query)."""
    table = Resource._meta.db_table
    sql = f"""
        WITH RECURSIVE down(id, resource_type, uploaded_by_id, level) AS (
            SELECT id, resource_type, uploaded_by_id, 1 FROM {table} WHERE id = %s
            UNION ALL
            SELECT r.id, r.resource_type, r.uploaded_by_id, down.level + 1
            FROM {table} r JOIN down ON r.parent_folder_id = down.id
            WHERE r.is_deleted = %s AND down.level <= %s
        )
        SELECT id, resource_type, uploaded_by_id, level FROM down
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [_sql_id(root.pk), False, Resource.FOLDER_DEPTH + 1])
        return [(_as_uuid(i), kind, _as_uuid(owner), level) for i, kind, owner, level in cursor.fetchall()]


def _folder_height(rows) -> int:
    """How many folder levels a subtree adds: 0 for a single non-folder."""
    return max((level for _, kind, _, level in rows if kind == ResourceType.FOLDER), default=0)


# --- writes ---------------------------------------------------------------------------------------


def _lock_libraries(*, group_ids=(), owner_ids=()) -> None:
    """Serialize changes per library: group rows first, then user rows, each by pk, so two
    transactions never wait on each other in a circle."""
    groups = sorted({g for g in group_ids if g is not None}, key=str)
    owners = sorted({o for o in owner_ids if o is not None}, key=str)
    if groups:
        list(Group.objects.select_for_update().filter(pk__in=groups).order_by("pk").values_list("pk", flat=True))
    if owners:
        users = get_user_model().objects.select_for_update().filter(pk__in=owners).order_by("pk")
        list(users.values_list("pk", flat=True))


def _locked(resource: Resource, *, target_group_id=None, to_personal: bool = False) -> Resource:
    """Lock the resource's library (and the target library of a move) and read the resource again:
    what was read before the lock may have changed meanwhile."""
    personal = resource.group_id is None or to_personal
    _lock_libraries(
        group_ids=[resource.group_id, target_group_id], owner_ids=[resource.uploaded_by_id] if personal else []
    )
    fresh = Resource.objects.select_related("group", "uploaded_by").filter(pk=resource.pk, is_deleted=False).first()
    if fresh is None:
        raise Http404
    if fresh.group_id != resource.group_id:
        raise Conflict("This resource was moved meanwhile: try again.")
    return fresh


def _folder_in(*, folder_id, group: Group | None, owner_id) -> Resource:
    """A folder of the given library (a group's, or the owner's personal one), else 400."""
    library = Q(group=group) if group is not None else Q(group__isnull=True, uploaded_by_id=owner_id)
    folder = Resource.objects.filter(library, pk=folder_id, is_deleted=False).first()
    if folder is None or folder.resource_type != ResourceType.FOLDER:
        raise ValidationError({"parent_folder_id": ["No folder with this id in the same library."]})
    return folder


def _parent_for(*, resource: Resource, group: Group | None, parent_folder_id, rows=None) -> Resource | None:
    """The folder ``resource`` (with its subtree ``rows``) may go into, in the library of ``group`` or
    of its uploader: never inside itself, never deeper than ``Resource.FOLDER_DEPTH``."""
    if parent_folder_id is None:
        return None
    rows = subtree(resource) if rows is None else rows
    parent = _folder_in(folder_id=parent_folder_id, group=group, owner_id=resource.uploaded_by_id)
    path = folder_path(parent.pk)
    if resource.pk in path:
        raise ValidationError({"parent_folder_id": ["A folder cannot go inside itself or its own subfolders."]})
    if len(path) + _folder_height(rows) > Resource.FOLDER_DEPTH:
        raise ValidationError({"parent_folder_id": [f"Folders nest at most {Resource.FOLDER_DEPTH} levels deep."]})
    return parent


def resource_create(*, user, group_id=None, parent_folder_id=None, file=None, **fields) -> Resource:
    """Add a resource to the user's personal library or, with ``group_id``, to a group's.

    With ``file``, a file, image or video resource stores that upload instead of a URL: its type
    by its bytes must suit the resource type (``UPLOAD_TYPES``; else 400 naming ``file``), its size
    ``LEARNFLOW_UPLOAD_MAX_BYTES`` of the type and the uploader's storage quota (else 413). Where
    it may go is checked before the file is written, and the written objects are deleted again if
    the resource is not created."""
    if file is None:
        return _resource_create(user=user, group_id=group_id, parent_folder_id=parent_folder_id, **fields)
    kind = fields.get("resource_type")
    if kind not in UPLOAD_TYPES:
        raise ValidationError({"resource_type": ["Only a file, image or video resource takes an uploaded file."]})
    if group_id is not None:
        _target_group(group_id, user)
    stored = uploads.upload_write(
        user=user,
        file=file,
        allowed_types=UPLOAD_TYPES[kind],
        max_bytes=settings.LEARNFLOW_UPLOAD_MAX_BYTES[kind],
        purpose=UploadPurpose.RESOURCE,
        thumbnail=True,
    )
    try:
        return _resource_create(
            user=user, group_id=group_id, parent_folder_id=parent_folder_id, stored=stored, **fields
        )
    except BaseException:
        stored.discard()
        raise


@transaction.atomic
def _resource_create(*, user, group_id, parent_folder_id, stored=None, **fields) -> Resource:
    group = _target_group(group_id, user) if group_id is not None else None
    resource = Resource(uploaded_by=user, group=group, **fields)
    if parent_folder_id is not None:
        _lock_libraries(group_ids=[group.pk] if group else [], owner_ids=[] if group else [user.pk])
        rows = [(resource.pk, resource.resource_type, user.pk, 1)]
        resource.parent_folder = _parent_for(
            resource=resource, group=group, parent_folder_id=parent_folder_id, rows=rows
        )
    if stored is not None:
        # After the library locks: groups before users, as everywhere (``_lock_libraries``).
        resource.upload = uploads.upload_record(stored=stored)
        resource.url, resource.file_size = "", stored.size
    resource.save(force_insert=True)
    return resource


@transaction.atomic
def resource_update(*, user, resource: Resource, data: dict) -> Resource:
    """Edit a resource's details, or put it in another folder of the same library
    (``parent_folder_id``; ``None`` is the top level). A folder stays a folder and nothing else
    becomes one; every other type needs a URL, unless it holds an upload: that one keeps its file,
    its type and its size (to change the file, delete the resource and upload anew), and takes no
    URL."""
    _require_manage(resource, user)
    resource = _locked(resource)
    data = dict(data)
    new_type = data.get("resource_type", resource.resource_type)
    if (new_type == ResourceType.FOLDER) != (resource.resource_type == ResourceType.FOLDER):
        raise ValidationError({"resource_type": ["A folder stays a folder, and nothing else becomes one."]})
    if resource.upload_id is not None:
        _check_upload_update(resource, data, new_type)
    if "parent_folder_id" in data:
        folder_id = data.pop("parent_folder_id")
        data["parent_folder"] = _parent_for(resource=resource, group=resource.group, parent_folder_id=folder_id)
    for field, value in data.items():
        setattr(resource, field, value)
    if new_type != ResourceType.FOLDER and not resource.url and resource.upload_id is None:
        raise ValidationError({"url": ["This resource needs a URL."]})
    if new_type == ResourceType.FOLDER and resource.url:
        raise ValidationError({"url": ["A folder has no URL."]})
    resource.save(update_fields=[*data, "updated_at"])
    return resource


def _check_upload_update(resource: Resource, data: dict, new_type: str) -> None:
    if data.get("url"):
        raise ValidationError({"url": ["An uploaded file has no URL: to replace it, delete this resource."]})
    if new_type != resource.resource_type:
        raise ValidationError({"resource_type": ["The type of an uploaded file stays what it was uploaded as."]})
    if "file_size" in data and data["file_size"] != resource.file_size:
        raise ValidationError({"file_size": ["An uploaded file's size is the file's own."]})


@transaction.atomic
def resource_delete(*, user, resource: Resource) -> int:
    """Delete a resource softly; a folder takes everything in it along. In a group, a folder that
    holds other members' resources is deleted only by the group's leaders and admins. Uploaded
    files of what is deleted go for good: their rows now (freeing their uploaders' quota) and their
    objects after the commit. Returns how many resources were deleted."""
    role = _require_manage(resource, user)
    resource = _locked(resource)
    rows = subtree(resource)
    if role not in MANAGERS and any(owner != user.pk for _, _, owner, _ in rows):
        raise PermissionDenied("This folder holds other members' resources: only leaders and admins can delete it.")
    return resources_delete_rows(Resource.objects.filter(pk__in=[row[0] for row in rows]))


@transaction.atomic
def resources_delete_rows(queryset: QuerySet[Resource]) -> int:
    """Delete exactly these resources softly, and their uploaded files for good (the rows now, the
    objects after the commit); returns how many were deleted. Also what staff do in the admin."""
    deleted = queryset.filter(is_deleted=False)
    gone = list(Upload.objects.filter(resource__in=deleted))
    count = deleted.update(is_deleted=True, upload=None, updated_at=timezone.now())
    uploads.uploads_delete(uploads=gone)
    return count


def resources_restore_rows(queryset: QuerySet[Resource]) -> tuple[int, int]:
    """Restore exactly these deleted resources (staff, in the admin), except those whose uploaded
    file went with their deletion: nothing is left to restore there. Returns ``(restored, left)``."""
    deleted = queryset.filter(is_deleted=True)
    file_gone = Q(upload__isnull=True, url="") & ~Q(resource_type=ResourceType.FOLDER)
    restored = deleted.exclude(file_gone).update(is_deleted=False, updated_at=timezone.now())
    return restored, deleted.filter(file_gone).count()


@transaction.atomic
def resource_move(*, user, resource: Resource, group_id, parent_folder_id=None) -> Resource:
    """Move a resource to a group's library (``group_id``) or to the uploader's personal one
    (``None``), optionally into a folder there; a folder moves with everything in it. Within its
    own library this is a move between folders."""
    _require_manage(resource, user)
    group_id = None if group_id is None else _as_uuid(group_id)
    if group_id == resource.group_id:
        return resource_update(user=user, resource=resource, data={"parent_folder_id": parent_folder_id})
    if resource.uploaded_by_id != user.pk:
        raise PermissionDenied("Only its uploader takes a resource to another library.")
    target = _target_group(group_id, user) if group_id is not None else None
    resource = _locked(resource, target_group_id=group_id, to_personal=target is None)
    rows = subtree(resource)
    if any(owner != user.pk for _, _, owner, _ in rows):
        raise ValidationError({"group_id": ["This folder holds other members' resources: move those out first."]})
    parent = _parent_for(resource=resource, group=target, parent_folder_id=parent_folder_id, rows=rows)
    Resource.objects.filter(pk__in=[row[0] for row in rows]).update(group=target, updated_at=timezone.now())
    resource.group, resource.parent_folder = target, parent
    resource.save(update_fields=["group", "parent_folder", "updated_at"])
    return resource


def resource_share(*, user, resource: Resource, group_id, parent_folder_id=None) -> Resource:
    """Move a personal resource into a group's library."""
    if resource.group_id is not None:
        raise ValidationError({"group_id": ["This resource is already in a group: move it instead."]})
    return resource_move(user=user, resource=resource, group_id=group_id, parent_folder_id=parent_folder_id)


def resource_make_personal(*, user, resource: Resource, parent_folder_id=None) -> Resource:
    """Take one's own group resource back into one's personal library."""
    if resource.group_id is None:
        raise ValidationError({"group_id": ["This resource is already personal."]})
    return resource_move(user=user, resource=resource, group_id=None, parent_folder_id=parent_folder_id)


def resource_stats(*, user) -> dict:
    """The user's contributions (resources they uploaded and can still see) by library and type,
    how many resources they can see in all (one query), and what their uploaded files take of
    their storage quota (``storage``, one query)."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    mine = Q(uploaded_by=user)
    aggregates = {
        "accessible": Count("pk"),
        "total": Count("pk", filter=mine),
        "personal": Count("pk", filter=mine & Q(group__isnull=True)),
        "in_groups": Count("pk", filter=mine & Q(group__isnull=False)),
        "added_last_7_days": Count("pk", filter=mine & Q(created_at__gte=since)),
        "total_file_size": Coalesce(Sum("file_size", filter=mine), 0),
        **{f"type_{kind}": Count("pk", filter=mine & Q(resource_type=kind)) for kind in ResourceType.values},
    }
    row = resources_visible(user=user).aggregate(**aggregates)
    by_type = {kind: row.pop(f"type_{kind}") for kind in ResourceType.values}
    return {**row, "by_type": by_type, "storage": uploads.storage_usage(user=user)}
