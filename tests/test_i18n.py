"""The reader's language, local dates and numbers, time zones and alphabetical order."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from tracker.collation import alphabet_key
from tracker.extensions import db
from tracker.i18n import COOKIE, format_day, format_moment, format_number, format_share
from tracker.models import Role, User


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(True)).group(1)


# Choosing the language ------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("sq", "sq"),
        ("sq-AL,sq;q=0.9,en;q=0.8", "sq"),
        ("hr-HR", "hr"),
        ("sr-Latn-RS", "sr-Latn"),
        ("sr-RS", "sr"),
        ("sr-Cyrl", "sr"),
        ("sr-Cyrl-RS", "sr"),
        ("hr-BA", "hr"),
        ("mk", "mk"),
        ("bs-BA", "bs"),
        ("cnr", "sr-Latn-ME"),
        ("sr-ME", "sr-Latn-ME"),
        ("de-DE,fr;q=0.9", "en"),
        ("de-DE,hr;q=0.5", "hr"),
        ("", "en"),
    ],
)
def test_the_browser_language_chooses_the_interface(client, header, expected):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert html_lang(response) == expected


def test_the_switcher_sets_the_language_of_an_anonymous_visitor(client):
    response = client.post_form("/language", {"language": "mk", "next": "/events/"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/events/")
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None and cookie.value == "mk"
    # The cookie outranks the browser's language.
    page = client.get("/", headers={"Accept-Language": "sq"})
    assert html_lang(page) == "mk"


def test_the_switcher_refuses_an_unknown_language_and_an_outside_next(client):
    response = client.post_form(
        "/language", {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    assert client.get_cookie(COOKIE) is None
    assert html_lang(client.get("/")) == "en"


def test_the_switcher_without_a_csrf_token_changes_nothing(client):
    response = client.post("/language", data={"language": "mk"})
    assert response.status_code in (302, 400)
    assert client.get_cookie(COOKIE) is None


def test_a_signed_in_user_keeps_the_language_on_the_profile(app, client, login_as):
    user_id = login_as(Role.CONTACT)
    client.post_form("/language", {"language": "hr", "next": "/"})
    with app.app_context():
        assert db.session.get(User, user_id).locale == "hr"
    # A saved preference outranks a cookie and the browser.
    client.set_cookie(COOKIE, "sq")
    assert html_lang(client.get("/", headers={"Accept-Language": "mk"})) == "hr"


def test_the_profile_saves_language_and_time_zone(app, client, login_as):
    user_id = login_as(Role.COORDINATOR)
    page = client.get("/auth/profile")
    assert page.status_code == 200
    response = client.post_form(
        "/auth/profile", {"language": "sq", "timezone": "Europe/Tirane"}
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.locale, user.timezone) == ("sq", "Europe/Tirane")
    assert html_lang(client.get("/auth/profile")) == "sq"


@pytest.mark.parametrize(
    "data",
    [
        {"language": "sq", "timezone": "Mars/Olympus"},
        {"language": "tlh", "timezone": "Europe/Belgrade"},
    ],
)
def test_the_profile_refuses_unknown_values(app, client, login_as, data):
    user_id = login_as(Role.MANAGER)
    response = client.post_form("/auth/profile", data)
    assert response.status_code == 200
    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.locale, user.timezone) == (None, None)


def test_the_profile_needs_a_signed_in_user(client):
    response = client.get("/auth/profile")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


# Local formats ---------------------------------------------------------------

SEOUL_WEEK = date(2017, 9, 4)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "4 Sep 2017"),
        ("hr", "4. rujna 2017."),
        ("sq", "4 shtator 2017"),
        ("sr", "4. септембар 2017."),
        ("sr_Latn", "4. septembar 2017."),
        ("mk", "4 септември 2017\u202fг."),
        ("bs", "4. septembar 2017."),
    ],
)
def test_dates_read_in_the_chosen_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert format_day(SEOUL_WEEK) == expected


@pytest.mark.parametrize(
    ("locale", "number", "share"),
    [
        ("en", "108,600", "46%"),
        ("hr", "108.600", "46\xa0%"),
        ("sr_Latn", "108.600", "46%"),
        ("mk", "108.600", "46\xa0%"),
        ("sq", "108\xa0600", "46%"),
    ],
)
def test_numbers_follow_the_locale(app, locale, number, share):
    with app.test_request_context(), force_locale(locale):
        assert format_number(108_600) == number
        assert format_share(0.46) == share


def test_times_show_in_the_users_time_zone(app, make_user):
    stored = datetime(2017, 9, 4, 7, 30, tzinfo=UTC).replace(tzinfo=None)
    user_id = make_user(role=Role.COORDINATOR, timezone="Asia/Seoul")
    with app.test_request_context():
        # Default zone: Belgrade, two hours ahead of UTC in September.
        assert format_moment(stored).startswith("4 Sep 2017 09:30")
    with app.test_request_context():
        from flask_login import login_user

        login_user(db.session.get(User, user_id))
        assert format_moment(stored).startswith("4 Sep 2017 16:30")


def test_an_event_page_shows_its_dates_in_the_chosen_language(
    client, login_as, make_event
):
    event_id = make_event(
        "World Smart City Week",
        starts_on=SEOUL_WEEK,
        ends_on=date(2017, 9, 8),
        city="Seoul",
        is_public=True,
    )
    login_as(Role.COORDINATOR)
    client.post_form("/language", {"language": "hr", "next": "/"})
    page = client.get(f"/events/{event_id}").get_data(True)
    assert "4. rujna 2017." in page
    client.post_form("/language", {"language": "mk", "next": "/"})
    page = client.get(f"/events/{event_id}").get_data(True)
    assert "4 септември 2017" in page


# Alphabetical order ---------------------------------------------------------

CROATIAN = (
    "Cetinje Čačak Ćuprija Dubrovnik Džep Đakovo Nova Njivice Split Šabac Zadar zagreb "
    "Žabljak"
)
ALBANIAN = (
    "Cërrik Çorovodë Durrës Dhërmi Ersekë Ëlbas Gramsh Gjirokastër Sarandë Shkodër "
    "Zall Zhulat"
)
MACEDONIAN = "Гевгелија Дебар Ѓорче Кочани Скопје Ќичево Штип Шуто Bitola"
SERBIAN = (
    "Бор Ваљево Ђаковица Жабаљ Зрењанин Лесковац Љиг Ниш Његош Ћуприја Ужице Чачак "
    "Шабац"
)


@pytest.mark.parametrize(
    ("locale", "ordered"),
    [
        ("hr", CROATIAN),
        ("bs", CROATIAN),
        ("sq", ALBANIAN),
        ("mk", MACEDONIAN),
        ("sr", SERBIAN),
    ],
)
def test_names_sort_in_the_languages_alphabet(locale, ordered):
    names = ordered.split()
    assert sorted(reversed(names), key=lambda n: alphabet_key(n, locale)) == names


def test_english_sorts_letters_with_diacritics_beside_their_base():
    names = ["Zadar", "Šabac", "Split", "Čačak", "Cetinje", "Đakovo", "Dubrovnik"]
    assert sorted(names, key=lambda n: alphabet_key(n, "en")) == [
        "Čačak",
        "Cetinje",
        "Đakovo",
        "Dubrovnik",
        "Šabac",
        "Split",
        "Zadar",
    ]


def listed_names(response) -> list[str]:
    table = response.get_data(True).partition("<tbody>")[2].partition("</tbody>")[0]
    return re.findall(r'/municipalities/\d+">([^<]+)</a>', table)


def test_the_municipality_list_sorts_in_the_readers_alphabet(
    client, login_as, make_municipality
):
    """On the database itself (an SQLite collation, a PostgreSQL ICU one)."""
    names = ["Zadar", "Šabac", "Split", "Čačak", "Cetinje", "Đakovo", "Dubrovnik"]
    for name in names:
        make_municipality(name, "HR")
    login_as(Role.MANAGER)
    client.post_form("/language", {"language": "hr", "next": "/"})
    croatian = ["Cetinje", "Čačak", "Dubrovnik", "Đakovo", "Split", "Šabac", "Zadar"]
    assert listed_names(client.get("/municipalities/?sort=name")) == croatian
    assert listed_names(client.get("/municipalities/?sort=-name")) == croatian[::-1]


# The request keeps its catalog (tracker.translation.translations) -------------


def test_a_kept_catalog_follows_a_change_of_locale_within_a_request(app):
    """The catalog is looked up once per locale: switching to the recipient's
    language and back (as notifications do) translates each part rightly,
    in Python and in templates alike."""
    from flask import render_template_string
    from flask_babel import refresh

    from tracker.i18n import as_reader
    from tracker.translation import gettext

    template = '{{ _("Sign out") }}'
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("Sign out") == "Sign out"
        assert render_template_string(template) == "Sign out"
        with as_reader("hr", None):
            assert gettext("Sign out") == "Odjavi se"
            assert render_template_string(template) == "Odjavi se"
        assert gettext("Sign out") == "Sign out"
        with force_locale("hr"):
            assert render_template_string(template) == "Odjavi se"
        assert render_template_string(template) == "Sign out"
        refresh()
        assert gettext("Sign out") == "Sign out"
    with app.test_request_context("/", headers={"Accept-Language": "hr"}):
        assert render_template_string(template) == "Odjavi se"
        assert gettext("Sign out") == "Odjavi se"
