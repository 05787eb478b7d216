"""The resource endpoints: personal and group libraries, who may add, see and manage what, folders
(no cycles, bounded depth, contents moved and deleted along), share / make-personal / move, stats,
parallel moves and query counts."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.tests.factories import UserFactory
from community.choices import GroupType, ResourceType, Role, Visibility
from community.models import Membership, Resource, ResourceProgress
from community.tests.factories import ResourceFactory, group_with
from learnflow.testing import client_for, count_queries

pytestmark = pytest.mark.django_db

RESOURCES = "/api/resources"
LINK = {"title": "Linear algebra lectures", "resource_type": "link", "url": "https://example.com/la"}


def url(resource, suffix: str = "") -> str:
    return f"{RESOURCES}/{resource.pk}{suffix}"


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def folder(owner, group=None, parent=None, **fields) -> Resource:
    return ResourceFactory(uploaded_by=owner, group=group, parent_folder=parent, folder=True, **fields)


def item(owner, group=None, parent=None, **fields) -> Resource:
    return ResourceFactory(uploaded_by=owner, group=group, parent_folder=parent, **fields)


# --- create ---------------------------------------------------------------------------------------


def test_create_a_personal_resource(auth_client, user):
    # when
    response = auth_client.post(f"{RESOURCES}/", {**LINK, "description": "MIT 18.06", "file_size": 0}, format="json")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in LINK} == LINK
    assert body["group_id"] is None and body["parent_folder_id"] is None
    assert body["uploaded_by"]["id"] == str(user.pk)
    assert body["can_manage"] is True
    assert body["my_progress"] is None and body["item_count"] is None
    assert Resource.objects.get(pk=body["id"]).uploaded_by == user


def test_create_a_folder_and_a_file_inside_it(auth_client):
    # given
    made = auth_client.post(RESOURCES, {"title": "Week 1", "resource_type": "folder"}, format="json")
    assert made.status_code == 201, made.content
    folder_id = made.json()["id"]
    # when
    response = auth_client.post(
        RESOURCES,
        {
            "title": "Notes",
            "resource_type": "file",
            "url": "https://files.example.com/n.pdf",
            "parent_folder_id": folder_id,
        },
        format="json",
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json()["parent_folder_id"] == folder_id
    assert auth_client.get(f"{RESOURCES}/{folder_id}").json()["item_count"] == 1


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("resource_type", {**LINK, "resource_type": "podcast"}),
        ("url", {**LINK, "url": "ftp://example.com/file"}),
        ("url", {**LINK, "url": "javascript:alert(1)"}),
        ("url", {**LINK, "url": "data:text/html,<script>alert(1)</script>"}),
        ("url", {**LINK, "url": "file:///etc/passwd"}),
        ("url", {**LINK, "url": "/media/notes.pdf"}),
        ("url", {**LINK, "url": "https://example.com\\@evil.example/"}),
        ("url", {**LINK, "url": "not a url"}),
        ("url", {"title": "No address", "resource_type": "video"}),
        ("url", {"title": "A folder", "resource_type": "folder", "url": "https://example.com"}),
        ("title", {"resource_type": "link", "url": "https://example.com"}),
        ("title", {**LINK, "title": "x" * 201}),
        ("file_size", {**LINK, "file_size": -1}),
        ("file_size", {**LINK, "file_size": 10**14}),
        ("group_id", {**LINK, "group_id": "not-a-uuid"}),
        ("parent_folder_id", {**LINK, "parent_folder_id": "00000000-0000-0000-0000-000000000000"}),
    ],
)
def test_create_with_bad_input_answers_400_naming_the_field(auth_client, field, data):
    # when
    response = auth_client.post(RESOURCES, data, format="json")
    # then
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", ""), ("get", ""), ("get", "/all"), ("get", "/personal"), ("get", "/group/{group}"),
        ("get", "/stats/me"), ("get", "/my-progress"), ("get", "/progress/stats"), ("get", "/{id}"),
        ("patch", "/{id}"), ("delete", "/{id}"), ("post", "/{id}/share"), ("post", "/{id}/make-personal"),
        ("post", "/{id}/move"), ("post", "/{id}/progress"), ("get", "/{id}/progress/me"),
        ("delete", "/{id}/progress/me"), ("post", "/{id}/mark-started"), ("post", "/{id}/mark-completed"),
    ],
)  # fmt: skip
def test_every_resource_endpoint_needs_a_token(api_client, user, method, path):
    # given
    group = group_with(leader=user)
    resource = item(user, group=group)
    # when
    response = getattr(api_client, method)(RESOURCES + path.format(id=resource.pk, group=group.pk), {}, format="json")
    # then
    assert response.status_code == 401
    resource.refresh_from_db()
    assert not resource.is_deleted


@pytest.mark.parametrize(
    ("group_type", "role", "expected"),
    [
        (GroupType.COMMUNITY, Role.MEMBER, 201),
        (GroupType.COMMUNITY, Role.ADMIN, 201),
        (GroupType.LEADER_CONTROLLED, Role.MEMBER, 403),
        (GroupType.LEADER_CONTROLLED, Role.ADMIN, 201),
        (GroupType.LEADER_CONTROLLED, Role.LEADER, 201),
    ],
)
def test_who_adds_to_a_group_depends_on_its_type_and_the_role(user, group_type, role, expected):
    # given
    group = group_with(leader=UserFactory(), group_type=group_type)
    Membership.objects.update_or_create(group=group, user=user, defaults={"role": role})
    # when
    response = client_for(user).post(RESOURCES, {**LINK, "group_id": str(group.pk)}, format="json")
    # then
    assert response.status_code == expected, response.content
    assert Resource.objects.filter(group=group).count() == (1 if expected == 201 else 0)


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.PRIVATE])
def test_adding_to_a_group_one_is_not_in_answers_400_naming_group_id(user, visibility):
    # given
    group = group_with(leader=UserFactory(), visibility=visibility)
    # when
    response = client_for(user).post(RESOURCES, {**LINK, "group_id": str(group.pk)}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()) == ["group_id"]


def test_adding_to_a_deleted_group_answers_400(user):
    # given
    group = group_with(leader=user, is_active=False)
    # when
    response = client_for(user).post(RESOURCES, {**LINK, "group_id": str(group.pk)}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()) == ["group_id"]


def test_a_folder_of_another_library_cannot_be_the_parent(user):
    # given: a folder of the user's group, and a link added to the personal library
    group = group_with(leader=user)
    group_folder = folder(user, group=group)
    # when
    response = client_for(user).post(RESOURCES, {**LINK, "parent_folder_id": str(group_folder.pk)}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()) == ["parent_folder_id"]


def test_a_link_cannot_be_a_parent(user, auth_client):
    # given
    link = item(user)
    # when
    response = auth_client.post(RESOURCES, {**LINK, "parent_folder_id": str(link.pk)}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()) == ["parent_folder_id"]


def test_folders_nest_at_most_ten_deep(user, auth_client):
    # given: ten nested folders
    parent = None
    for _ in range(Resource.FOLDER_DEPTH):
        parent = folder(user, parent=parent)
    # when
    too_deep = auth_client.post(
        RESOURCES, {"title": "Eleventh", "resource_type": "folder", "parent_folder_id": str(parent.pk)}, format="json"
    )
    a_file = auth_client.post(RESOURCES, {**LINK, "parent_folder_id": str(parent.pk)}, format="json")
    # then
    assert too_deep.status_code == 400
    assert list(too_deep.json()) == ["parent_folder_id"]
    assert a_file.status_code == 201, a_file.content


# --- who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [
        ("get", "", None),
        ("patch", "", {"title": "Mine now"}),
        ("delete", "", None),
        ("post", "/share", "group"),
        ("post", "/move", {"group_id": None}),
        ("post", "/make-personal", {}),
        ("post", "/progress", {"status": "in_progress"}),
        ("get", "/progress/me", None),
        ("delete", "/progress/me", None),
        ("post", "/mark-started", None),
        ("post", "/mark-completed", None),
    ],
)
def test_someone_elses_personal_resource_is_404(user, other_user, method, suffix, data):
    # given
    resource = item(user)
    if data == "group":
        data = {"group_id": str(group_with(leader=other_user).pk)}
    # when
    response = getattr(client_for(other_user), method)(url(resource, suffix), data, format="json")
    # then
    assert response.status_code == 404
    resource.refresh_from_db()
    assert resource.title != "Mine now" and not resource.is_deleted and resource.group is None
    assert not ResourceProgress.objects.exists()


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.PRIVATE])
def test_a_group_resource_is_seen_by_members_and_404_to_anyone_else(user, other_user, visibility):
    # given
    member = UserFactory()
    group = group_with(leader=user, members=[member], visibility=visibility)
    resource = item(user, group=group)
    # then
    assert client_for(member).get(url(resource)).status_code == 200
    assert client_for(other_user).get(url(resource)).status_code == 404
    assert client_for(other_user).post(url(resource, "/progress"), {"status": "completed"}).status_code == 404


def test_a_member_who_leaves_no_longer_sees_the_group_resources(user, other_user):
    # given
    group = group_with(leader=user, members=[other_user])
    resource = item(user, group=group)
    client = client_for(other_user)
    assert client.get(url(resource)).status_code == 200
    # when
    assert client.delete(f"/api/groups/{group.pk}/leave").status_code == 204
    # then
    assert client.get(url(resource)).status_code == 404
    assert ids(client.get(f"{RESOURCES}/all")) == set()


def test_a_deleted_groups_resources_disappear(user):
    # given
    group = group_with(leader=user)
    resource = item(user, group=group)
    client = client_for(user)
    # when
    assert client.delete(f"/api/groups/{group.pk}").status_code == 204
    # then
    assert client.get(url(resource)).status_code == 404
    assert client.get(f"{RESOURCES}/group/{group.pk}").status_code == 404


# --- lists ----------------------------------------------------------------------------------------


def test_personal_all_and_group_lists(user, other_user):
    # given
    group = group_with(leader=user, members=[other_user])
    mine = item(user)
    shared = item(other_user, group=group)
    theirs = item(other_user)
    item(other_user, group=group_with(leader=other_user))
    deleted = item(user, is_deleted=True)
    client = client_for(user)
    # then
    assert ids(client.get(f"{RESOURCES}/personal")) == {str(mine.pk)}
    assert ids(client.get(f"{RESOURCES}/all")) == {str(mine.pk), str(shared.pk)}
    assert ids(client.get(f"{RESOURCES}/")) == {str(mine.pk), str(shared.pk)}
    assert ids(client.get(f"{RESOURCES}/group/{group.pk}")) == {str(shared.pk)}
    assert str(theirs.pk) not in ids(client.get(f"{RESOURCES}/all?page_size=100"))
    assert client.get(url(deleted)).status_code == 404


@pytest.mark.parametrize(("visibility", "expected"), [(Visibility.PUBLIC, 403), (Visibility.PRIVATE, 404)])
def test_a_group_library_is_for_members(user, other_user, visibility, expected):
    # given
    group = group_with(leader=user, visibility=visibility)
    item(user, group=group)
    # when
    response = client_for(other_user).get(f"{RESOURCES}/group/{group.pk}")
    # then
    assert response.status_code == expected
    assert "results" not in response.json()


def test_list_filters_by_type_folder_top_level_and_search(user, auth_client):
    # given
    week = folder(user, title="Week 1")
    video = item(user, parent=week, resource_type=ResourceType.VIDEO, title="Eigenvalues explained")
    link = item(user, title="Course page", description="All about eigenvalues")
    # then
    assert ids(auth_client.get(f"{RESOURCES}/personal?resource_type=video")) == {str(video.pk)}
    assert ids(auth_client.get(f"{RESOURCES}/personal?parent_folder={week.pk}")) == {str(video.pk)}
    assert ids(auth_client.get(f"{RESOURCES}/personal?top_level=true")) == {str(week.pk), str(link.pk)}
    assert ids(auth_client.get(f"{RESOURCES}/all?search=eigenvalues")) == {str(video.pk), str(link.pk)}
    assert auth_client.get(f"{RESOURCES}/personal?resource_type=podcast").status_code == 400


def test_the_list_shows_item_counts_progress_and_what_the_caller_may_manage(user, other_user):
    # given: a community group where other_user added a folder with two items
    group = group_with(leader=UserFactory(), members=[user, other_user])
    theirs = folder(other_user, group=group)
    first = item(other_user, group=group, parent=theirs)
    item(other_user, group=group, parent=theirs)
    item(other_user, group=group, parent=theirs, is_deleted=True)
    ResourceProgress.objects.create(user=user, resource=first, status="in_progress", progress_percentage=30)
    ResourceProgress.objects.create(user=other_user, resource=theirs, status="completed", progress_percentage=100)
    # when
    rows = {row["id"]: row for row in client_for(user).get(f"{RESOURCES}/group/{group.pk}").json()["results"]}
    # then
    assert rows[str(theirs.pk)]["item_count"] == 2
    assert rows[str(theirs.pk)]["my_progress"] is None
    assert rows[str(first.pk)]["my_progress"] == {"status": "in_progress", "progress_percentage": 30}
    assert not any(row["can_manage"] for row in rows.values())


def test_lists_cost_the_same_queries_for_one_row_or_many(user):
    # given
    group = group_with(leader=user, members=[UserFactory()])
    client = client_for(user)
    first = folder(user, group=group)
    ResourceProgress.objects.create(user=user, resource=item(user, parent=None), status="paused")
    paths = [f"{RESOURCES}/all", f"{RESOURCES}/personal", f"{RESOURCES}/group/{group.pk}"]
    few = [count_queries(client, path) for path in paths]
    # when
    for n in range(15):
        parent = folder(user, group=group)
        child = item(UserFactory(), group=group, parent=parent if n % 2 else first)
        ResourceProgress.objects.create(user=user, resource=child, status="in_progress", progress_percentage=n)
        ResourceProgress.objects.create(user=user, resource=item(user), status="completed", progress_percentage=100)
    many = [count_queries(client, path) for path in paths]
    # then: /all and the group's library fill a page, /personal does not (16 rows): each page's count
    # comes with the page (learnflow.pagination)
    assert many == few


# --- update ---------------------------------------------------------------------------------------


def test_the_uploader_edits_details(user, auth_client):
    # given
    resource = item(user)
    # when
    response = auth_client.patch(
        url(resource), {"title": "Better title", "resource_type": "video", "file_size": 1024}, format="json"
    )
    # then
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Better title"
    resource.refresh_from_db()
    assert (resource.title, resource.resource_type, resource.file_size) == ("Better title", "video", 1024)


@pytest.mark.parametrize(
    ("role", "group_type", "own", "expected"),
    [
        (Role.MEMBER, GroupType.COMMUNITY, True, 200),
        (Role.MEMBER, GroupType.COMMUNITY, False, 403),
        (Role.MEMBER, GroupType.LEADER_CONTROLLED, True, 403),
        (Role.ADMIN, GroupType.LEADER_CONTROLLED, False, 200),
        (Role.LEADER, GroupType.COMMUNITY, False, 200),
    ],
)
def test_who_manages_a_group_resource(user, role, group_type, own, expected):
    # given: in a leader-controlled group a member keeps no rights over what they added as an admin
    group = group_with(leader=UserFactory(), group_type=group_type)
    Membership.objects.update_or_create(group=group, user=user, defaults={"role": role})
    resource = item(user if own else UserFactory(), group=group)
    client = client_for(user)
    # when
    response = client.patch(url(resource), {"title": "Edited"}, format="json")
    # then
    assert response.status_code == expected
    assert client.get(url(resource)).json()["can_manage"] is (expected == 200)
    resource.refresh_from_db()
    assert (resource.title == "Edited") is (expected == 200)


@pytest.mark.parametrize(
    ("start", "data", "field"),
    [
        ("folder", {"resource_type": "link"}, "resource_type"),
        ("link", {"resource_type": "folder"}, "resource_type"),
        ("link", {"url": ""}, "url"),
        ("link", {"url": "ftp://example.com"}, "url"),
        ("folder", {"url": "https://example.com"}, "url"),
        ("link", {"title": ""}, "title"),
        ("link", {"file_size": -5}, "file_size"),
    ],
)
def test_bad_updates_answer_400_naming_the_field(user, auth_client, start, data, field):
    # given
    resource = folder(user) if start == "folder" else item(user)
    # when
    response = auth_client.patch(url(resource), data, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_put_is_not_allowed(user, auth_client):
    assert auth_client.put(url(item(user)), LINK, format="json").status_code == 405


def test_moving_into_another_folder_and_back_to_the_top(user, auth_client):
    # given
    resource, target = item(user), folder(user)
    # when
    into = auth_client.patch(url(resource), {"parent_folder_id": str(target.pk)}, format="json")
    out = auth_client.post(url(resource, "/move"), {"group_id": None, "parent_folder_id": None}, format="json")
    # then
    assert into.status_code == 200 and into.json()["parent_folder_id"] == str(target.pk)
    assert out.status_code == 200 and out.json()["parent_folder_id"] is None


@pytest.mark.parametrize("into", ["itself", "child", "grandchild"])
def test_a_folder_cannot_go_inside_itself(user, auth_client, into):
    # given
    top = folder(user)
    child = folder(user, parent=top)
    grandchild = folder(user, parent=child)
    target = {"itself": top, "child": child, "grandchild": grandchild}[into]
    # when
    response = auth_client.patch(url(top), {"parent_folder_id": str(target.pk)}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()) == ["parent_folder_id"]
    top.refresh_from_db()
    assert top.parent_folder is None


def test_moving_a_subtree_respects_the_depth_limit(user, auth_client):
    # given: a chain of 8 folders, and a separate folder with two levels of subfolders
    parent = None
    for _ in range(8):
        parent = folder(user, parent=parent)
    moving = folder(user)
    folder(user, parent=folder(user, parent=moving))
    # when
    response = auth_client.patch(url(moving), {"parent_folder_id": str(parent.pk)}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()) == ["parent_folder_id"]


@pytest.mark.django_db(transaction=True)
def test_parallel_moves_of_two_folders_into_each_other_never_make_a_cycle():
    # given
    owner = UserFactory()
    first, second = folder(owner), folder(owner)
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    lock = threading.Lock()

    def move(resource, into):
        client = client_for(owner)
        try:
            barrier.wait(timeout=10)
            response = client.patch(url(resource), {"parent_folder_id": str(into.pk)}, format="json")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=pair) for pair in ((first, second), (second, first))]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert sorted(statuses) == [200, 400]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.parent_folder_id is None) != (second.parent_folder_id is None)


# --- delete ---------------------------------------------------------------------------------------


def test_delete_is_soft_and_takes_a_folders_contents_along(user, auth_client):
    # given
    top = folder(user)
    sub = folder(user, parent=top)
    inside = item(user, parent=sub)
    elsewhere = item(user)
    # when
    response = auth_client.delete(url(top))
    # then
    assert response.status_code == 204
    assert set(Resource.objects.filter(is_deleted=True).values_list("pk", flat=True)) == {top.pk, sub.pk, inside.pk}
    assert auth_client.get(url(inside)).status_code == 404
    assert ids(auth_client.get(f"{RESOURCES}/personal")) == {str(elsewhere.pk)}


def test_a_member_cannot_delete_a_folder_holding_others_resources_but_a_leader_can(user, other_user):
    # given: a community group; other_user's folder holds user's link
    leader = UserFactory()
    group = group_with(leader=leader, members=[user, other_user])
    theirs = folder(other_user, group=group)
    mine = item(user, group=group, parent=theirs)
    # when
    as_member = client_for(other_user).delete(url(theirs))
    as_leader = client_for(leader).delete(url(theirs))
    # then
    assert as_member.status_code == 403
    assert as_leader.status_code == 204
    mine.refresh_from_db()
    assert mine.is_deleted


def test_a_member_deletes_their_own_resource_but_not_anothers(user, other_user):
    # given
    group = group_with(leader=UserFactory(), members=[user, other_user])
    mine, theirs = item(user, group=group), item(other_user, group=group)
    client = client_for(user)
    # then
    assert client.delete(url(theirs)).status_code == 403
    assert client.delete(url(mine)).status_code == 204


# --- share, make personal, move -------------------------------------------------------------------


def test_sharing_a_personal_folder_moves_it_with_its_contents_into_the_group(user, auth_client):
    # given
    group = group_with(leader=UserFactory(), members=[user])
    top = folder(user)
    inside = item(user, parent=folder(user, parent=top))
    # when
    response = auth_client.post(url(top, "/share"), {"group_id": str(group.pk)}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["group_id"] == str(group.pk)
    inside.refresh_from_db()
    assert inside.group == group
    assert set(Resource.objects.filter(group=group).values_list("pk", flat=True)) == {
        top.pk,
        inside.pk,
        inside.parent_folder_id,
    }
    assert ids(auth_client.get(f"{RESOURCES}/personal")) == set()


def test_sharing_into_a_folder_of_the_group(user, auth_client):
    # given
    group = group_with(leader=user)
    target = folder(user, group=group)
    resource = item(user)
    # when
    response = auth_client.post(
        url(resource, "/share"), {"group_id": str(group.pk), "parent_folder_id": str(target.pk)}, format="json"
    )
    # then
    assert response.status_code == 200, response.content
    assert response.json()["parent_folder_id"] == str(target.pk)


def test_share_errors(user, other_user, auth_client):
    # given
    mine = group_with(leader=user)
    led = group_with(leader=other_user, members=[user], group_type=GroupType.LEADER_CONTROLLED)
    outside = group_with(leader=other_user)
    resource = item(user)
    in_group = item(user, group=mine)
    # then
    assert auth_client.post(url(in_group, "/share"), {"group_id": str(mine.pk)}).status_code == 400
    not_member = auth_client.post(url(resource, "/share"), {"group_id": str(outside.pk)})
    assert (not_member.status_code, list(not_member.json())) == (400, ["group_id"])
    assert auth_client.post(url(resource, "/share"), {"group_id": str(led.pk)}).status_code == 403
    missing = auth_client.post(url(resource, "/share"), {})
    assert (missing.status_code, list(missing.json())) == (400, ["group_id"])
    resource.refresh_from_db()
    assert resource.group is None


def test_the_uploader_makes_a_group_resource_personal(user, auth_client):
    # given
    group = group_with(leader=UserFactory(), members=[user])
    resource = item(user, group=group, parent=folder(user, group=group))
    # when
    response = auth_client.post(url(resource, "/make-personal"), {}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["group_id"] is None and response.json()["parent_folder_id"] is None
    assert ids(auth_client.get(f"{RESOURCES}/personal")) == {str(resource.pk)}


def test_only_the_uploader_takes_a_resource_out_of_the_group(user, other_user):
    # given: even a leader cannot make another member's resource personal
    group = group_with(leader=user, members=[other_user])
    theirs = item(other_user, group=group)
    # when
    response = client_for(user).post(url(theirs, "/make-personal"), {}, format="json")
    # then
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.group == group


def test_a_folder_holding_others_resources_stays_in_its_group(user, other_user):
    # given
    group = group_with(leader=UserFactory(), members=[user, other_user])
    mine = folder(user, group=group)
    item(other_user, group=group, parent=mine)
    # when
    response = client_for(user).post(url(mine, "/make-personal"), {}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()) == ["group_id"]
    mine.refresh_from_db()
    assert mine.group == group


def test_making_a_personal_resource_personal_answers_400(user, auth_client):
    response = auth_client.post(url(item(user), "/make-personal"), {}, format="json")
    assert response.status_code == 400


def test_moving_between_groups(user, auth_client):
    # given
    source, target = group_with(leader=user), group_with(leader=UserFactory(), members=[user])
    top = folder(user, group=source)
    inside = item(user, group=source, parent=top)
    # when
    response = auth_client.post(url(top, "/move"), {"group_id": str(target.pk)}, format="json")
    # then
    assert response.status_code == 200, response.content
    inside.refresh_from_db()
    assert inside.group == target and inside.parent_folder == top
    assert ids(auth_client.get(f"{RESOURCES}/group/{source.pk}")) == set()


def test_move_needs_a_group_id_key(user, auth_client):
    response = auth_client.post(url(item(user), "/move"), {}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["group_id"]


# --- stats and permissions summary ----------------------------------------------------------------


def test_resource_stats(user, other_user, auth_client):
    # given
    group = group_with(leader=user, members=[other_user])
    item(user, file_size=1000)
    item(user, group=group, resource_type=ResourceType.VIDEO, file_size=500)
    folder(user)
    item(other_user, group=group)
    item(user, is_deleted=True, file_size=99)
    # when
    response = auth_client.get(f"{RESOURCES}/stats/me")
    # then
    assert response.status_code == 200
    assert response.json() == {
        "accessible": 4,
        "total": 3,
        "personal": 2,
        "in_groups": 1,
        "added_last_7_days": 3,
        "total_file_size": 1500,
        "by_type": {"image": 0, "video": 1, "file": 0, "folder": 1, "link": 1},
        "storage": {
            "used_bytes": 0,
            "quota_bytes": 500 * 1024 * 1024,
            "remaining_bytes": 500 * 1024 * 1024,
            "file_count": 0,
            "by_type": {},
        },
    }


@pytest.mark.parametrize(
    ("group_type", "role", "expected"),
    [
        (GroupType.COMMUNITY, Role.MEMBER, {"role": "member", "can_add": True, "can_manage_all": False}),
        (GroupType.LEADER_CONTROLLED, Role.MEMBER, {"role": "member", "can_add": False, "can_manage_all": False}),
        (GroupType.LEADER_CONTROLLED, Role.ADMIN, {"role": "admin", "can_add": True, "can_manage_all": True}),
        (GroupType.COMMUNITY, None, {"role": None, "can_add": False, "can_manage_all": False}),
    ],
)
def test_can_manage_resources(user, group_type, role, expected):
    # given
    group = group_with(leader=UserFactory(), group_type=group_type)
    if role:
        Membership.objects.create(group=group, user=user, role=role)
    # when
    response = client_for(user).get(f"/api/groups/{group.pk}/can-manage-resources")
    # then
    assert response.status_code == 200
    assert response.json() == expected


def test_can_manage_resources_of_a_private_group_is_404_to_outsiders(user, other_user):
    group = group_with(leader=user, visibility=Visibility.PRIVATE)
    assert client_for(other_user).get(f"/api/groups/{group.pk}/can-manage-resources").status_code == 404


def test_deleting_an_account_moves_others_resources_out_of_its_folders(user, other_user):
    # given
    group = group_with(leader=UserFactory(), members=[user, other_user])
    theirs = folder(other_user, group=group)
    mine = item(user, group=group, parent=theirs)
    # when
    call_command("delete_user", other_user.username, "--yes")
    # then
    mine.refresh_from_db()
    assert mine.parent_folder is None
    assert ids(client_for(user).get(f"{RESOURCES}/group/{group.pk}")) == {str(mine.pk)}
