"""Administration: user accounts, API tokens, CSV import (admins only)."""

from flask import Blueprint

from tracker.auth.permissions import role_required
from tracker.models import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required(Role.ADMIN)
def guard() -> None:
    """Every admin page is for administrators only, whatever its decorator says."""
