"""The user pages: scoped lists and search (htmx partial), create and edit with their audit events,
and a bounded number of queries whatever the number of users."""

from __future__ import annotations

from deskside.audit.choices import Action
from deskside.audit.models import AuditEvent
from deskside.directory.models import User
from deskside.directory.services import group_member_add, user_create


def test_the_help_desk_lists_only_users_in_its_scope(login, personas) -> None:
    response = login(personas.helpdesk).get("/directory/users/")
    emails = {user.email for user in response.context["page"]}
    assert emails == {"ams@lakeside.test"}


def test_search_answers_htmx_with_the_table_only(login, personas) -> None:
    response = login(personas.reader).get("/directory/users/?q=lyon", HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert "Louise Lyon" in text and "Anton Amsterdam" not in text
    assert "<html" not in text


def test_the_user_list_costs_the_same_queries_with_many_users(
    login, personas, django_assert_max_num_queries
) -> None:
    client = login(personas.helpdesk)
    for n in range(60):
        user = user_create(
            tenant=personas.tenant, email=f"u{n}@lakeside.test", display_name=f"U {n}", actor=None
        )
        group_member_add(group=personas.sales, member=user, actor=None)
    with django_assert_max_num_queries(8):
        response = client.get("/directory/users/")
    assert len(response.context["page"]) == 50


def test_the_user_page_shows_direct_and_nested_groups(
    login, personas, django_assert_max_num_queries
) -> None:
    client = login(personas.admin)
    with django_assert_max_num_queries(8):
        response = client.get(f"/directory/users/{personas.amsterdam_user.pk}/")
    assert [(g.display_name, direct) for g, direct in response.context["groups"]] == [
        ("All staff", False),
        ("Amsterdam office", False),
        ("Sales", True),
    ]


def test_an_administrator_creates_a_user_and_it_is_audited(login, personas) -> None:
    response = login(personas.admin).post(
        "/directory/users/new/",
        {
            "email": "New.Person@Lakeside.test",
            "display_name": "New Person",
            "account_enabled": "on",
            "has_license": "on",
            "password": "a long and unusual passphrase",
        },
    )
    user = User.objects.get(email="new.person@lakeside.test")
    assert response["Location"] == f"/directory/users/{user.pk}/"
    assert user.check_password("a long and unusual passphrase")
    event = AuditEvent.objects.get(action=Action.USER_CREATED, target_id=str(user.pk))
    assert event.actor == personas.admin


def test_a_weak_password_or_a_foreign_domain_is_a_form_error(login, personas) -> None:
    client = login(personas.admin)
    weak = client.post(
        "/directory/users/new/",
        {"email": "weak@lakeside.test", "display_name": "W", "password": "12345"},
    )
    foreign = client.post(
        "/directory/users/new/", {"email": "x@elsewhere.test", "display_name": "X"}
    )
    assert weak.status_code == foreign.status_code == 400
    assert "too short" in weak.content.decode()
    assert "not a verified domain" in foreign.content.decode()
    assert not User.objects.filter(email__in=["weak@lakeside.test", "x@elsewhere.test"]).exists()


def test_editing_records_the_changed_fields(login, personas) -> None:
    login(personas.admin).post(
        f"/directory/users/{personas.lyon_user.pk}/edit/",
        {
            "email": "lyon@lakeside.test",
            "display_name": "Louise Lyon",
            "job_title": "Office manager",
            "account_enabled": "on",
        },
    )
    user = User.objects.get(pk=personas.lyon_user.pk)
    assert (user.job_title, user.has_license) == ("Office manager", False)
    event = AuditEvent.objects.get(action=Action.USER_UPDATED, target_id=str(user.pk))
    assert event.details == {"fields": ["has_license", "job_title"]}
