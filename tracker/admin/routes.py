"""Administration: user accounts, API tokens, CSV import.

Each view declares its own rule: most are for administrators only, the
import is for coordinators too (SPEC §2: coordinators import CSV).
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
