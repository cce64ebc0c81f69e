"""UPP Tracker: municipalities, programs, events and testimonials of the
Urban Partnership Program in South-East Europe."""

from pathlib import Path
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, blueprints, error pages, CLI."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from tracker import (
        audit,
        cli,
        errors,
        i18n,
        observability,
        routing,
        security,
        templating,
    )
    from tracker.config import load_config
    from tracker.extensions import csrf, db, limiter, login_manager, migrate

    load_config(app, test_config)
    routing.init_app(app)  # before the blueprints add their routes
    db.init_app(app)
    # First of the request hooks, so refused requests are logged and counted too.
    observability.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    i18n.init_app(app)
    audit.init_app(app)

    from tracker import (
        admin,
        auth,
        calendars,
        certificates,
        dashboards,
        documents,
        enrollments,
        events,
        home,
        municipalities,
        notifications,
        outbox,
        people,
        privacy,
        programs,
        public,
        testimonials,
    )
    from tracker.api import openapi

    # One blueprint per domain: its name is its package's and its templates' folder.
    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(municipalities.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(programs.bp)
    app.register_blueprint(enrollments.bp)
    app.register_blueprint(events.bp)
    app.register_blueprint(testimonials.bp)
    app.register_blueprint(notifications.bp)
    app.register_blueprint(outbox.bp)
    app.register_blueprint(privacy.bp)
    app.register_blueprint(dashboards.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(calendars.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(openapi.bp)

    outbox.init_app(app)
    errors.register(app)
    cli.register(app)
    return app
