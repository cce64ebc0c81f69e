"""Fixture for `semgrep --test --config tests/semgrep/rules.yml tests/semgrep/`.

Never imported or run: each "ruleid:" comment marks a line the rule must
flag, each "ok:" comment a line it must leave alone.
"""

import flask
from flask import Blueprint, redirect, render_template_string, request
from markupsafe import Markup
from sqlalchemy import delete, select, text, update

from tracker.permissions import EDITORS, public, role_required
from tracker.auth.safety import safe_next_url
from tracker.extensions import csrf, db, limiter
from tracker.models import AuditEntry, Municipality

bp = Blueprint("fixture", __name__)


def markup(name, quote):
    # ruleid: markup-on-data
    banner = Markup(quote)
    # ruleid: markup-on-data
    fancy = Markup("<b>%s</b>" % name)
    # ok: markup-on-data
    line_break = Markup("<br>")
    return banner, fancy, line_break


def templates(name):
    # ruleid: render-template-string
    return render_template_string("Hello " + name)


def sql(connection, name, column):
    # ruleid: sql-built-from-strings
    connection.execute(text(f"SELECT * FROM person WHERE full_name = '{name}'"))
    # ruleid: sql-built-from-strings
    connection.execute(text("SELECT * FROM person WHERE id = %s" % name))
    # ruleid: sql-built-from-strings
    connection.execute(text("SELECT " + column + " FROM person"))
    # ruleid: sql-built-from-strings
    connection.exec_driver_sql(f"SELECT {column} FROM person")
    # ruleid: sql-built-from-strings
    connection.execute("SELECT * FROM person WHERE id = {}".format(name))
    # ok: sql-built-from-strings
    connection.execute(text("SELECT * FROM person WHERE id = :id"), {"id": name})
    # ok: sql-built-from-strings
    return db.session.scalars(select(Municipality).where(Municipality.name == name))


def bulk(session, connection):
    # ruleid: bulk-dml-bypasses-audit
    session.execute(update(Municipality).values(population=0))
    # ruleid: bulk-dml-bypasses-audit
    session.execute(delete(AuditEntry))
    # ruleid: bulk-dml-bypasses-audit
    session.query(Municipality).filter_by(name="x").delete()
    # ruleid: bulk-dml-bypasses-audit
    connection.execute(AuditEntry.__table__.update().values(action="x"))
    # ruleid: bulk-dml-bypasses-audit
    connection.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": 1})
    # ok: bulk-dml-bypasses-audit
    session.delete(session.get(Municipality, 1))
    # ok: bulk-dml-bypasses-audit
    return {"a": 1}.update(b=2)


# ruleid: view-without-access-rule
@bp.route("/forgotten")
def forgotten():
    return "anyone may see this"


# ok: view-without-access-rule
@bp.route("/declared")
@role_required(*EDITORS)
def declared():
    return "editors only"


# ok: view-without-access-rule
@bp.route("/open", methods=("GET", "POST"))
@limiter.limit("5 per minute")
@public
def open_page():
    return "everyone, rate limited"


# ruleid: view-with-two-access-rules
@bp.route("/both")
@role_required(*EDITORS)
@public
def both():
    return "which is it?"


def forms(form, municipality):
    # ruleid: populate-obj-mass-assignment
    form.populate_obj(municipality)


# ruleid: csrf-exempt
csrf.exempt(bp)
# ok: csrf-exempt
csrf.exempt(unsubscribe)


def redirects():
    # ruleid: redirect-to-request-data
    flask.redirect(request.args.get("next"))
    # ruleid: redirect-to-request-data
    redirect(request.referrer)
    # ok: redirect-to-request-data
    return redirect(safe_next_url(request.args.get("next")) or "/")


def debugging(app):
    # ruleid: debug-mode
    app.run(debug=True)
