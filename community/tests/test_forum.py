"""The forum endpoints: posts (create, list, filters, edit, soft delete, hidden), likes (also in
parallel), comment trees, comment edits and deletes, reply notifications, the first-post achievement
and query counts."""

import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification
from accounts.tests.factories import UserFactory
from challenges.achievements import achievements_check, achievements_install_defaults
from challenges.models import UserAchievement
from community import forum
from community.models import Comment, CommentLike, Post, PostLike
from learnflow.testing import client_for, count_queries, without_parameter

pytestmark = pytest.mark.django_db

POSTS = "/api/community/posts"
NEW_POST = {"title": "How I study", "content": "Pomodoro, every day.", "category": "study_tips"}


def post_url(post, suffix: str = "") -> str:
    return f"{POSTS}/{post.pk}{suffix}"


def comment_url(comment, suffix: str = "") -> str:
    return f"/api/community/comments/{comment.pk}{suffix}"


def make_post(author, **fields) -> Post:
    data = {"title": "A title", "content": "Some content.", "category": "general", **fields}
    return Post.objects.create(author=author, **data)


def make_comment(post, author, parent=None, content: str = "A comment.") -> Comment:
    thread_id = (parent.thread_id or parent.pk) if parent else None
    return Comment.objects.create(post=post, author=author, parent=parent, thread_id=thread_id, content=content)


def listed_ids(client, query: str = "") -> list[str]:
    response = client.get(f"{POSTS}{query}")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def run_in_parallel(clients, path: str) -> list[int]:
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    lock = threading.Lock()

    def post(client):
        try:
            barrier.wait(timeout=10)
            response = client.post(path)
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


# --- posts: create ------------------------------------------------------------------------------


def test_create_post_returns_it_with_author_and_zero_counters(auth_client, user):
    # when
    response = auth_client.post(POSTS, NEW_POST, format="json")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in NEW_POST} == NEW_POST
    assert body["author"] == {"id": str(user.pk), "username": user.username, "avatar_url": user.avatar_url}
    assert (body["likes"], body["comment_count"], body["liked_by_me"]) == (0, 0, False)
    assert body["created_at"]
    post = Post.objects.get(pk=body["id"])
    assert (post.author, post.title, post.category) == (user, "How I study", "study_tips")


def test_create_post_defaults_to_the_general_category(auth_client):
    # when
    response = auth_client.post(POSTS, {"title": "Hi", "content": "Hello all"}, format="json")
    # then
    assert response.status_code == 201, response.content
    assert response.json()["category"] == "general"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", None),
        ("content", None),
        ("category", "gossip"),
        ("title", "t" * 201),
        ("content", "c" * 10_001),
    ],
)
def test_create_post_with_a_bad_field_is_400_naming_it(auth_client, field, value):
    # given
    data = {**NEW_POST, field: value}
    if value is None:
        del data[field]
    # when
    response = auth_client.post(POSTS, data, format="json")
    # then
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Post.objects.exists()


def test_posts_need_a_token(api_client, user):
    # given
    post = make_post(user)
    # when
    responses = [
        api_client.get(POSTS),
        api_client.post(POSTS, NEW_POST, format="json"),
        api_client.get(post_url(post)),
        api_client.post(post_url(post, "/like")),
    ]
    # then
    assert [response.status_code for response in responses] == [401] * 4


# --- posts: list --------------------------------------------------------------------------------


def test_list_is_paginated_newest_first(auth_client, user, other_user):
    # given
    first = make_post(user)
    second = make_post(other_user)
    third = make_post(user)
    # when
    response = auth_client.get(POSTS)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [str(third.pk), str(second.pk), str(first.pk)]


def test_list_filters_by_category_author_and_search(auth_client, user, other_user):
    # given
    tip = make_post(user, category="study_tips", title="Flashcards")
    question = make_post(other_user, category="question", content="Anyone using flashcards?")
    make_post(other_user, category="motivation", title="Keep going", content="You can do it")
    # when / then
    assert listed_ids(auth_client, "?category=study_tips") == [str(tip.pk)]
    assert listed_ids(auth_client, f"?author={user.pk}") == [str(tip.pk)]
    assert listed_ids(auth_client, "?search=flashcards") == [str(question.pk), str(tip.pk)]


def test_list_costs_the_same_queries_for_1_and_20_posts(user, other_user):
    # given
    client = client_for(user)
    PostLike.objects.create(user=user, post=make_post(other_user))
    one = count_queries(client, POSTS)
    for index in range(19):
        post = make_post(user if index % 2 else UserFactory())
        if index % 3 == 0:
            PostLike.objects.create(user=user, post=post)
    # when
    twenty = count_queries(client, POSTS)
    # then
    assert len(client.get(POSTS).json()["results"]) == 20
    assert one == 2  # the token's user, and the page with the author and the caller's likes of each post
    assert twenty == one  # the full page's count comes with the page (COUNT(*) OVER (), learnflow.pagination)


def test_the_plain_list_answers_what_the_searched_path_answers(user, other_user):
    # given: posts by several authors, one whose account is gone, some liked by the reader; the plain
    # list (page parameters only) is read from a compiled query (learnflow.views.CompiledListMixin),
    # a search for nothing takes the queryset's path
    client = client_for(user)
    for index in range(23):
        post = make_post((user, other_user, UserFactory())[index % 3], title=f"Post {index}")
        if index % 4 == 0:
            PostLike.objects.create(user=user, post=post)
        if index % 4 == 1:
            PostLike.objects.create(user=other_user, post=post)
    Post.objects.filter(pk=Post.objects.order_by("-created_at")[2].pk).update(author=None)
    for query in ("", "?page_size=10", "?page_size=10&page=3", "?page=2", "?page_size=5&page=6", "?page=x"):
        plain = client.get(f"{POSTS}{query}")
        searched = client.get(f"{POSTS}{query}{'&' if query else '?'}search=")
        # then
        assert plain.status_code == searched.status_code, query
        assert without_parameter(plain, "search") == without_parameter(searched, "search"), query
    assert client.get(POSTS).json()["results"][2]["author"]["username"] == "deleted user"


# --- posts: detail, edit, delete, hidden --------------------------------------------------------


def test_the_author_can_edit_a_post(auth_client, user):
    # given
    post = make_post(user)
    # when
    put = auth_client.put(post_url(post), {**NEW_POST, "title": "Renamed"}, format="json")
    patch = auth_client.patch(post_url(post), {"category": "resources"}, format="json")
    # then
    assert put.status_code == 200, put.content
    assert patch.status_code == 200, patch.content
    assert patch.json()["title"] == "Renamed"
    assert patch.json()["category"] == "resources"
    post.refresh_from_db()
    assert (post.title, post.content, post.category) == ("Renamed", NEW_POST["content"], "resources")


def test_another_user_cannot_edit_or_delete_a_post(user, other_user):
    # given
    post = make_post(user, title="Mine")
    client = client_for(other_user)
    # when
    responses = [
        client.put(post_url(post), {**NEW_POST, "title": "Theirs"}, format="json"),
        client.patch(post_url(post), {"title": "Theirs"}, format="json"),
        client.delete(post_url(post)),
    ]
    # then
    assert [response.status_code for response in responses] == [403] * 3
    post.refresh_from_db()
    assert (post.title, post.content, post.is_deleted) == ("Mine", "Some content.", False)


def test_the_author_deletes_a_post_softly(auth_client, user):
    # given
    post = make_post(user)
    # when
    response = auth_client.delete(post_url(post))
    # then
    assert response.status_code == 204, response.content
    assert auth_client.get(post_url(post)).status_code == 404
    assert listed_ids(auth_client) == []
    post.refresh_from_db()
    assert post.is_deleted is True


def test_a_post_hidden_by_staff_is_404_and_not_listed(auth_client, user, other_user):
    # given
    post = make_post(other_user)
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    # when
    response = auth_client.get(post_url(post))
    # then
    assert response.status_code == 404, response.content
    assert listed_ids(auth_client) == []


# --- likes --------------------------------------------------------------------------------------


def test_a_post_like_toggles(auth_client, user, other_user):
    # given
    post = make_post(other_user)
    # when
    first = auth_client.post(post_url(post, "/like"))
    second = auth_client.post(post_url(post, "/like"))
    # then
    assert first.status_code == 200, first.content
    assert first.json() == {"liked": True, "likes": 1}
    assert second.json() == {"liked": False, "likes": 0}
    assert not PostLike.objects.exists()


def test_likes_of_two_users_add_up_and_liked_by_me_follows_the_caller(user, other_user):
    # given
    post = make_post(UserFactory())
    third = UserFactory()
    # when
    client_for(user).post(post_url(post, "/like"))
    response = client_for(other_user).post(post_url(post, "/like"))
    # then
    assert response.json() == {"liked": True, "likes": 2}
    assert client_for(user).get(post_url(post)).json()["liked_by_me"] is True
    listed = client_for(third).get(POSTS).json()["results"][0]
    assert (listed["likes"], listed["liked_by_me"]) == (2, False)


def test_a_comment_like_toggles(auth_client, user, other_user):
    # given
    comment = make_comment(make_post(other_user), other_user)
    # when
    first = auth_client.post(comment_url(comment, "/like"))
    second = client_for(other_user).post(comment_url(comment, "/like"))
    third = auth_client.post(comment_url(comment, "/like"))
    # then
    assert first.status_code == 200, first.content
    assert first.json() == {"liked": True, "likes": 1}
    assert second.json() == {"liked": True, "likes": 2}
    assert third.json() == {"liked": False, "likes": 1}
    assert list(CommentLike.objects.values_list("user", flat=True)) == [other_user.pk]


@pytest.mark.django_db(transaction=True)
def test_parallel_post_likes_of_different_users_all_count():
    # given
    post = make_post(UserFactory())
    clients = [client_for(UserFactory()) for _ in range(6)]
    # when
    statuses = run_in_parallel(clients, post_url(post, "/like"))
    # then
    assert statuses == [200] * 6
    post.refresh_from_db()
    assert post.likes == 6 == PostLike.objects.filter(post=post).count()


@pytest.mark.django_db(transaction=True)
def test_parallel_comment_likes_of_different_users_all_count():
    # given
    author = UserFactory()
    comment = make_comment(make_post(author), author)
    clients = [client_for(UserFactory()) for _ in range(6)]
    # when
    statuses = run_in_parallel(clients, comment_url(comment, "/like"))
    # then
    assert statuses == [200] * 6
    comment.refresh_from_db()
    assert comment.likes == 6 == CommentLike.objects.filter(comment=comment).count()


# --- comments -----------------------------------------------------------------------------------


def test_commenting_returns_the_comment_and_counts_it(auth_client, user, other_user):
    # given
    post = make_post(other_user)
    # when
    response = auth_client.post(post_url(post, "/comments"), {"content": "Nice!"}, format="json")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["content"], body["parent_comment_id"], body["is_deleted"]) == ("Nice!", None, False)
    assert body["author"]["id"] == str(user.pk)
    assert auth_client.get(post_url(post)).json()["comment_count"] == 1


def test_a_reply_names_its_parent(auth_client, user, other_user):
    # given
    post = make_post(other_user)
    parent = make_comment(post, other_user)
    # when
    response = auth_client.post(
        post_url(post, "/comments"), {"content": "Agreed", "parent_comment_id": str(parent.pk)}, format="json"
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json()["parent_comment_id"] == str(parent.pk)
    assert Comment.objects.get(pk=response.json()["id"]).parent == parent


@pytest.mark.parametrize("where", ["other_post", "unknown"])
def test_a_parent_that_is_not_a_comment_of_the_post_is_400(auth_client, user, where):
    # given
    post = make_post(user)
    parent_id = (
        str(make_comment(make_post(user), user).pk) if where == "other_post" else "00000000-0000-4000-8000-000000000000"
    )
    # when
    response = auth_client.post(
        post_url(post, "/comments"), {"content": "Hi", "parent_comment_id": parent_id}, format="json"
    )
    # then
    assert response.status_code == 400, response.content
    assert "parent_comment_id" in response.json()
    assert not post.comments.exists()
    post.refresh_from_db()
    assert post.comment_count == 0


@pytest.mark.parametrize("data", [{}, {"content": "c" * 5001}])
def test_a_comment_without_content_or_too_long_is_400(auth_client, user, data):
    # given
    post = make_post(user)
    # when
    response = auth_client.post(post_url(post, "/comments"), data, format="json")
    # then
    assert response.status_code == 400, response.content
    assert "content" in response.json()
    assert not post.comments.exists()


def test_comments_come_as_a_tree(auth_client, user, other_user):
    # given: two top-level comments, a reply to the first and a reply to that reply
    post = make_post(user)
    first = make_comment(post, user, content="first")
    second = make_comment(post, other_user, content="second")
    reply = make_comment(post, other_user, parent=first, content="reply")
    deep = make_comment(post, user, parent=reply, content="deep")
    CommentLike.objects.create(user=user, comment=reply)
    # when
    response = auth_client.get(post_url(post, "/comments"))
    # then
    assert response.status_code == 200, response.content
    tree = response.json()
    assert [node["id"] for node in tree] == [str(first.pk), str(second.pk)]
    assert [node["content"] for node in tree] == ["first", "second"]
    assert tree[1]["replies"] == []
    [level2] = tree[0]["replies"]
    assert (level2["id"], level2["parent_comment_id"], level2["content"]) == (str(reply.pk), str(first.pk), "reply")
    assert level2["liked_by_me"] is True
    assert tree[0]["liked_by_me"] is False
    [level3] = level2["replies"]
    assert (level3["id"], level3["content"], level3["replies"]) == (str(deep.pk), "deep", [])
    assert level3["author"]["username"] == user.username


def test_the_comment_tree_costs_the_same_queries_for_2_and_30_comments(user, other_user):
    # given
    client = client_for(user)
    post = make_post(user)
    root = make_comment(post, user)
    make_comment(post, other_user, parent=root)
    two = count_queries(client, post_url(post, "/comments"))
    parent = root
    for index in range(28):
        parent = make_comment(post, UserFactory(), parent=parent if index % 2 else None)
        if index % 3 == 0:
            CommentLike.objects.create(user=user, comment=parent)
    # when
    thirty = count_queries(client, post_url(post, "/comments"))
    # then
    assert Comment.objects.filter(post=post).count() == 30
    assert thirty == two


def test_the_author_edits_a_comment_and_others_cannot(user, other_user):
    # given
    comment = make_comment(make_post(other_user), user, content="old")
    # when
    forbidden = client_for(other_user).put(comment_url(comment), {"content": "hacked"}, format="json")
    response = client_for(user).put(comment_url(comment), {"content": "new"}, format="json")
    # then
    assert forbidden.status_code == 403, forbidden.content
    assert response.status_code == 200, response.content
    assert response.json()["content"] == "new"
    comment.refresh_from_db()
    assert comment.content == "new"


def test_another_user_cannot_delete_a_comment(user, other_user):
    # given
    post = make_post(other_user)
    client_for(user).post(post_url(post, "/comments"), {"content": "mine"}, format="json")
    comment = Comment.objects.get()
    # when
    response = client_for(other_user).delete(comment_url(comment))
    # then
    assert response.status_code == 403, response.content
    comment.refresh_from_db()
    post.refresh_from_db()
    assert (comment.is_deleted, post.comment_count) == (False, 1)


def test_a_deleted_comment_keeps_its_place_and_replies(auth_client, user, other_user):
    # given
    post = make_post(other_user)
    created = auth_client.post(post_url(post, "/comments"), {"content": "to delete"}, format="json").json()
    reply = client_for(other_user).post(
        post_url(post, "/comments"), {"content": "a reply", "parent_comment_id": created["id"]}, format="json"
    )
    assert reply.status_code == 201, reply.content
    comment = Comment.objects.get(pk=created["id"])
    # when
    response = auth_client.delete(comment_url(comment))
    again = auth_client.delete(comment_url(comment))
    # then
    assert response.status_code == 204, response.content
    assert again.status_code == 404, again.content
    post.refresh_from_db()
    assert post.comment_count == 1
    [node] = auth_client.get(post_url(post, "/comments")).json()
    assert (node["id"], node["content"], node["author"], node["is_deleted"]) == (created["id"], None, None, True)
    assert [child["content"] for child in node["replies"]] == ["a reply"]


# --- notifications ------------------------------------------------------------------------------


def test_a_comment_notifies_the_post_author(auth_client, user, other_user):
    # given
    post = make_post(other_user)
    # when
    response = auth_client.post(post_url(post, "/comments"), {"content": "Great post"}, format="json")
    # then
    assert response.status_code == 201, response.content
    notification = Notification.objects.get(user=other_user)
    assert notification.kind == "reply"
    assert notification.body == "Great post"
    assert notification.data == {"post_id": str(post.pk), "comment_id": response.json()["id"]}
    assert not Notification.objects.filter(user=user).exists()


def test_a_reply_notifies_the_comment_author(user, other_user):
    # given
    post_author = UserFactory()
    post = make_post(post_author)
    parent = make_comment(post, other_user)
    # when
    response = client_for(user).post(
        post_url(post, "/comments"), {"content": "Reply", "parent_comment_id": str(parent.pk)}, format="json"
    )
    # then
    assert response.status_code == 201, response.content
    notification = Notification.objects.get(user=other_user)
    assert (notification.kind, notification.body) == ("reply", "Reply")
    assert not Notification.objects.filter(user__in=[user, post_author]).exists()


def test_commenting_on_ones_own_post_notifies_nobody(auth_client, user):
    # given
    post = make_post(user)
    # when
    response = auth_client.post(post_url(post, "/comments"), {"content": "Bump"}, format="json")
    # then
    assert response.status_code == 201, response.content
    assert not Notification.objects.exists()


# --- achievement --------------------------------------------------------------------------------


def test_a_first_post_unlocks_first_post_once(auth_client, user, django_capture_on_commit_callbacks):
    # given
    achievements_install_defaults()
    # when: two posts, each announced after commit
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = auth_client.post(POSTS, NEW_POST, format="json")
        assert response.status_code == 201, response.content
    # then
    assert UserAchievement.objects.filter(user=user, achievement__code="first-post").count() == 1
    assert achievements_check(user=user) == []


# --- hostile comment trees ----------------------------------------------------------------------


def chain(post, author, length: int, parent=None) -> list[Comment]:
    """``length`` comments, each a reply to the one before (written straight to the database, as
    rows stored before replies were capped)."""
    comments = []
    for _ in range(length):
        parent = make_comment(post, author, parent=parent, content="x")
        comments.append(parent)
    return comments


def levels(tree: list[dict]) -> dict[str, tuple[int, str | None]]:
    """Each comment's (level, parent_comment_id) as the tree shows it (a top-level comment is 1)."""
    found = {}
    todo = [(node, 1) for node in tree]
    while todo:
        node, level = todo.pop()
        found[node["id"]] = (level, node["parent_comment_id"])
        todo.extend((child, level + 1) for child in node["replies"])
    return found


def test_a_500_deep_reply_chain_still_reads_and_shows_at_most_the_cap(user, other_user):
    # given: a 500-deep chain already stored, then two more replies through the API
    client = client_for(user)
    post = make_post(other_user)
    stored = chain(post, other_user, 498)
    for _ in range(2):
        response = client.post(
            post_url(post, "/comments"), {"content": "x", "parent_comment_id": str(stored[-1].pk)}, format="json"
        )
        assert response.status_code == 201, response.content
        stored.append(Comment.objects.get(pk=response.json()["id"]))
    # when
    response = client.get(post_url(post, "/comments"))
    # then: every comment is there, nothing deeper than the cap, the deep ones beside each other
    assert response.status_code == 200, response.content
    shown = levels(response.json())
    assert set(shown) == {str(comment.pk) for comment in stored}
    assert max(level for level, _ in shown.values()) == forum.COMMENT_MAX_DEPTH
    anchor = str(stored[forum.COMMENT_MAX_DEPTH - 2].pk)
    deepest = [str(comment.pk) for comment in stored[forum.COMMENT_MAX_DEPTH - 1 :]]
    assert all(shown[pk] == (forum.COMMENT_MAX_DEPTH, anchor) for pk in deepest)


def test_a_reply_on_the_last_level_goes_beside_the_comment_it_answers(user, other_user):
    # given: a thread as deep as allowed, built through the API by two users taking turns
    clients = [client_for(user), client_for(other_user)]
    post = make_post(UserFactory())
    ids: list[str | None] = [None]
    for turn in range(forum.COMMENT_MAX_DEPTH):
        response = clients[turn % 2].post(
            post_url(post, "/comments"), {"content": f"level {turn + 1}", "parent_comment_id": ids[-1]}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["parent_comment_id"] == ids[-1]
        ids.append(response.json()["id"])
    last_author = clients[(forum.COMMENT_MAX_DEPTH - 1) % 2]
    answering = clients[forum.COMMENT_MAX_DEPTH % 2]
    Notification.objects.all().delete()
    # when: answering the comment on the last level
    response = answering.post(
        post_url(post, "/comments"), {"content": "beside", "parent_comment_id": ids[-1]}, format="json"
    )
    # then: stored and shown on the last level, after the comment it answers; its author is notified
    assert response.status_code == 201, response.content
    assert response.json()["parent_comment_id"] == ids[-2]
    shown = levels(answering.get(post_url(post, "/comments")).json())
    assert shown[response.json()["id"]] == (forum.COMMENT_MAX_DEPTH, ids[-2])
    assert shown[ids[-1]] == (forum.COMMENT_MAX_DEPTH, ids[-2])
    anchor = Comment.objects.get(pk=ids[-2])
    assert [str(pk) for pk in anchor.replies.values_list("pk", flat=True)] == [ids[-1], response.json()["id"]]
    answered = Comment.objects.get(pk=ids[-1]).author
    assert answered.pk == (user if last_author is clients[0] else other_user).pk
    assert list(Notification.objects.values_list("user_id", flat=True)) == [answered.pk]


def test_replying_deep_down_a_stored_chain_costs_the_same_queries_as_near_its_top(user, other_user):
    # given
    client = client_for(user)
    post = make_post(other_user)
    stored = chain(post, other_user, 300)
    queries = []
    # when
    for replied_to in (stored[forum.COMMENT_MAX_DEPTH - 1], stored[-1]):
        with CaptureQueriesContext(connection) as context:
            response = client.post(
                post_url(post, "/comments"), {"content": "x", "parent_comment_id": str(replied_to.pk)}, format="json"
            )
        assert response.status_code == 201, response.content
        queries.append(len(context.captured_queries))
    # then
    assert queries[0] == queries[1]


def test_comments_come_in_pages_of_top_level_comments_with_their_replies(auth_client, user, other_user):
    # given: five threads, the second with a reply
    post = make_post(other_user)
    threads = [make_comment(post, user, content=f"thread {index}") for index in range(5)]
    reply = make_comment(post, other_user, parent=threads[1], content="reply")
    url = post_url(post, "/comments")
    # when
    first = auth_client.get(url, {"page_size": 2})
    last = auth_client.get(url, {"page": 3, "page_size": 2})
    beyond = auth_client.get(url, {"page": 4, "page_size": 2})
    # then
    assert first.status_code == last.status_code == beyond.status_code == 200
    assert [node["id"] for node in first.json()] == [str(threads[0].pk), str(threads[1].pk)]
    assert [node["id"] for node in first.json()[1]["replies"]] == [str(reply.pk)]
    assert first["Link"] == f'<http://testserver{url}?page=2&page_size=2>; rel="next"'
    assert [node["id"] for node in last.json()] == [str(threads[4].pk)]
    assert "Link" not in last
    assert beyond.json() == []


@pytest.mark.parametrize("query", [{"page": 0}, {"page": "x"}, {"page_size": 0}])
def test_a_bad_comment_page_is_400_naming_it(auth_client, user, query):
    # given
    post = make_post(user)
    # when
    response = auth_client.get(post_url(post, "/comments"), query)
    # then
    assert response.status_code == 400, response.content
    assert set(response.json()) == set(query)


def test_a_page_of_comments_costs_the_same_queries_for_1_and_many_comments(user, other_user):
    # given
    client = client_for(user)
    lone = make_post(other_user)
    make_comment(lone, other_user)
    busy = make_post(other_user)
    for _ in range(120):
        thread = make_comment(busy, UserFactory())
        CommentLike.objects.create(user=user, comment=thread)
    chain(busy, other_user, 20, parent=thread)
    # when
    one = count_queries(client, post_url(lone, "/comments"))
    many = count_queries(client, post_url(busy, "/comments"), {"page": 2, "page_size": 100})
    # then
    assert many == one


def test_the_migration_gives_stored_replies_their_top_level_comment(user):
    # given: replies stored before comments knew their thread, one chain 300 deep
    fill_threads = importlib.import_module("community.migrations.0006_comment_thread").fill_threads
    post = make_post(user)
    top = make_comment(post, user)
    deep = chain(post, user, 300, parent=top)
    other = make_comment(post, user)
    Comment.objects.update(thread=None)
    # when
    fill_threads(apps, None)
    # then
    threads = dict(Comment.objects.values_list("pk", "thread_id"))
    assert threads[top.pk] is None and threads[other.pk] is None
    assert {threads[comment.pk] for comment in deep} == {top.pk}
