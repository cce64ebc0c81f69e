"""The shared list helpers: sorting whitelist, search escaping, capped paging."""

from sqlalchemy import select

from tracker import lists
from tracker.extensions import db
from tracker.models import Municipality


def test_sorting_accepts_only_offered_keys():
    sorting = lists.Sorting(
        {"name": Municipality.name}, default="name", tiebreaker=Municipality.id
    )
    assert sorting.key({"sort": "-name"}) == "-name"
    assert sorting.key({"sort": "password_hash"}) == "name"
    assert sorting.key({}) == "name"


def test_search_treats_wildcards_as_text(app, make_municipality):
    make_municipality("100% Town")
    make_municipality("1000 Town")
    with app.app_context():
        query = select(Municipality.name).where(lists.text_search(Municipality, "100%"))
        assert db.session.scalars(query).all() == ["100% Town"]


def test_paging_counts_only_up_to_the_cap(app, make_country, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 30)
    country_id = make_country("HR")
    with app.app_context():
        db.session.add_all(
            Municipality(name=f"M{i:03}", country_id=country_id) for i in range(45)
        )
        db.session.flush()
        query = select(Municipality).order_by(Municipality.name)
        with app.test_request_context("/?page=2&per_page=10"):
            page = lists.paginate(query)
        assert page.total == 30 and page.total_is_capped
        assert [m.name for m in page.items][0] == "M010"
        with app.test_request_context("/?page=99&per_page=10"):
            assert lists.paginate(query).page == 3  # clamped to the cap
        db.session.rollback()
