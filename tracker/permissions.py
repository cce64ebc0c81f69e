"""Who may use which view: every view declares it with one decorator.

``role_required`` (signed-in users holding a role) and ``public`` (anyone)
mark the view with its rule. A before-request hook refuses any endpoint that
carries no rule, so a forgotten decorator fails closed, and
``tests/test_permissions.py`` walks ``app.url_map`` to catch it early.
Per-object rules live on the models (``can_view``, ``can_edit``) and are
enforced through ``get_viewable_or_404`` / ``get_editable_or_403``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy.orm.interfaces import ORMOption

# The module, not its names: the models import this module for the role sets.
from tracker import extensions
from tracker.models.enums import Role

# The role sets, defined here once: views, models (``User.is_staff``,
# ``User.can_edit_records``) and queries all derive from them.
STAFF = (Role.COORDINATOR, Role.MANAGER, Role.ADMIN)  # read everything
EDITORS = (Role.COORDINATOR, Role.ADMIN)  # change program records
SIGNED_IN = tuple(Role)
PUBLIC = "public"

View = TypeVar("View", bound=Callable[..., Any])


def role_required(*roles: Role) -> Callable[[View], View]:
    """Allow the view only for signed-in users holding one of ``roles``."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(**kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return extensions.login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(**kwargs)

        wrapped.access_rule = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: View) -> View:
    """Allow the view for everyone, signed in or not."""
    view.access_rule = PUBLIC  # type: ignore[attr-defined]
    return view


def access_rule_of(endpoint: str) -> frozenset[Role] | str | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def refuse_undeclared_endpoints() -> None:
    """Deny by default: a view that declares no access rule is never served."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return
    if access_rule_of(endpoint) is None:
        abort(403)


M = TypeVar("M")


def unproxied(user: Any) -> Any:
    """The account behind ``current_user``: checks made once per row of a long
    page then skip the proxy's look-up on every attribute."""
    unwrap = getattr(user, "_get_current_object", None)
    return unwrap() if unwrap is not None else user


def get_viewable_or_404(
    model: type[M], object_id: int, options: Sequence[ORMOption] = ()
) -> M:
    """Load a record the current user may see; otherwise 404, hiding that it exists.

    ``options`` (``joinedload(...)``, ``selectinload(...)``) load what the page
    shows along with the record.
    """
    obj = extensions.db.session.get(model, object_id, options=options)
    if obj is None or not obj.can_view(current_user):  # type: ignore[attr-defined]
        abort(404)
    return obj


def get_editable_or_403(model: type[M], object_id: int) -> M:
    """Load a record the current user may change: 404 if hidden, 403 if read-only."""
    obj = get_viewable_or_404(model, object_id)
    if not obj.can_edit(current_user):  # type: ignore[attr-defined]
        abort(403)
    return obj
