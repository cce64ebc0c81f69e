"""The access matrix: what each role gets from each endpoint.

A row names a method, a URL template and the expected outcome for each of
the six roles. URL templates use ``{name}`` placeholders filled from the
world (ids of the fixture records built by each domain's ``build``).

Outcomes compare by class, not exact status:
    OK      the request got past access control (2xx, 3xx other than to
            sign-in, or a 400/409/422 form answer)
    LOGIN   anonymous: a redirect to sign-in (HTML) or 401 (API)
    DENIED  403
    HIDDEN  404 (the object is not revealed)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OK = "ok"
LOGIN = "login"
DENIED = "denied"
HIDDEN = "hidden"
ERROR = "error"

ROLES = (
    "anonymous",
    "contact_rijeka",
    "contact_belgrade",
    "coordinator",
    "manager",
    "admin",
)


@dataclass(frozen=True)
class Row:
    method: str
    url: str
    expected: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)


def row(
    method: str,
    url: str,
    *,
    anonymous: str,
    contact_rijeka: str,
    contact_belgrade: str,
    coordinator: str,
    manager: str,
    admin: str,
    data: dict[str, Any] | None = None,
) -> Row:
    """One row, every role spelled out so that nothing is implied."""
    return Row(
        method,
        url,
        {
            "anonymous": anonymous,
            "contact_rijeka": contact_rijeka,
            "contact_belgrade": contact_belgrade,
            "coordinator": coordinator,
            "manager": manager,
            "admin": admin,
        },
        data or {},
    )


# Common shapes, named for who gets in. "Rijeka's" rows concern a record of
# Rijeka: its contact gets in, Belgrade's contact gets a 404.
def public_page(method: str, url: str, **kw) -> Row:
    return row(
        method,
        url,
        anonymous=OK,
        contact_rijeka=OK,
        contact_belgrade=OK,
        coordinator=OK,
        manager=OK,
        admin=OK,
        **kw,
    )


def signed_in(method: str, url: str, **kw) -> Row:
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=OK,
        contact_belgrade=OK,
        coordinator=OK,
        manager=OK,
        admin=OK,
        **kw,
    )


def staff_only(method: str, url: str, **kw) -> Row:
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=DENIED,
        contact_belgrade=DENIED,
        coordinator=OK,
        manager=OK,
        admin=OK,
        **kw,
    )


def editors_only(method: str, url: str, **kw) -> Row:
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=DENIED,
        contact_belgrade=DENIED,
        coordinator=OK,
        manager=DENIED,
        admin=OK,
        **kw,
    )


def admins_only(method: str, url: str, **kw) -> Row:
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=DENIED,
        contact_belgrade=DENIED,
        coordinator=DENIED,
        manager=DENIED,
        admin=OK,
        **kw,
    )


def rijeka_private(method: str, url: str, **kw) -> Row:
    """Rijeka's non-public record: staff and Rijeka's contact; Belgrade's gets 404."""
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=OK,
        contact_belgrade=HIDDEN,
        coordinator=OK,
        manager=OK,
        admin=OK,
        **kw,
    )


def rijeka_editable_by_contact(method: str, url: str, **kw) -> Row:
    """A change Rijeka's contact may make to Rijeka's record (not managers)."""
    return row(
        method,
        url,
        anonymous=LOGIN,
        contact_rijeka=OK,
        contact_belgrade=HIDDEN,
        coordinator=OK,
        manager=DENIED,
        admin=OK,
        **kw,
    )


def classify(response, *, api: bool) -> str:
    status = response.status_code
    if status == 401:
        return LOGIN
    if status in (301, 302, 303) and "/auth/login" in response.headers.get(
        "Location", ""
    ):
        return LOGIN
    if status == 403:
        return DENIED
    if status == 404:
        return HIDDEN
    if status >= 500 or status == 405:
        return ERROR
    return OK
