"""Access rules of the places pages: countries, municipalities, people (HTML
and API)."""

from tests.access.matrix import (
    Row,
    editors_only,
    rijeka_editable_by_contact,
    rijeka_private,
    signed_in,
    staff_only,
)
from tests.access.world import World


def build(world: World) -> None:
    """The base world's countries, municipalities and people are enough."""


ROWS: list[Row] = [
    # Municipalities: signed-in users list what they may see (a contact only
    # their own); staff see every detail page.
    signed_in("GET", "/municipalities/"),
    rijeka_private("GET", "/municipalities/{rijeka}"),
    editors_only("GET", "/municipalities/new"),
    editors_only("POST", "/municipalities/new"),
    editors_only("GET", "/municipalities/{rijeka}/edit"),
    editors_only("POST", "/municipalities/{rijeka}/edit"),
    # Refused while Rijeka has people and users: a redirect, still "ok".
    editors_only("POST", "/municipalities/{rijeka}/delete"),
    # Merging another into Rijeka: without ?other= the page offers candidates.
    editors_only("GET", "/municipalities/{rijeka}/merge"),
    editors_only("POST", "/municipalities/{rijeka}/merge"),
    rijeka_editable_by_contact("GET", "/municipalities/{rijeka}/contact"),
    rijeka_editable_by_contact("POST", "/municipalities/{rijeka}/contact"),
    # Countries.
    staff_only("GET", "/municipalities/countries/"),
    editors_only("GET", "/municipalities/countries/new"),
    editors_only("POST", "/municipalities/countries/new"),
    editors_only("GET", "/municipalities/countries/{croatia}/edit"),
    editors_only("POST", "/municipalities/countries/{croatia}/edit"),
    editors_only("POST", "/municipalities/countries/{croatia}/delete"),
    # People: contacts see only their municipality's people and edit none.
    signed_in("GET", "/people/"),
    rijeka_private("GET", "/people/{person_rijeka}"),
    editors_only("GET", "/people/new"),
    editors_only("POST", "/people/new"),
    editors_only("GET", "/people/{person_rijeka}/edit"),
    editors_only("POST", "/people/{person_rijeka}/edit"),
    editors_only("POST", "/people/{person_rijeka}/delete"),
    editors_only("GET", "/people/{person_rijeka}/merge"),
    editors_only("POST", "/people/{person_rijeka}/merge"),
    # API: the same rules; a contact's reach for Belgrade is a JSON 404.
    signed_in("GET", "/api/v1/municipalities"),
    rijeka_private("GET", "/api/v1/municipalities/{rijeka}"),
    signed_in("GET", "/api/v1/people"),
    rijeka_private("GET", "/api/v1/people/{person_rijeka}"),
    staff_only("GET", "/api/v1/countries"),
]
