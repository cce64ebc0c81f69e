"""Pages for everyone: the home page."""

from flask import Blueprint, render_template

from tracker.auth.permissions import public

bp = Blueprint("public", __name__)


@bp.route("/")
@public
def home():
    """The public home page."""
    return render_template("public/home.html")
