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

    from tracker import audit, cli, errors, routing, security, templating
    from tracker.config import load_config
    from tracker.dataio import exports
    from tracker.extensions import csrf, db, limiter, login_manager, migrate

    load_config(app, test_config)
    routing.init_app(app)  # before the blueprints add their routes
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    assert audit  # the audit listeners register on import

    from tracker import (
        admin,
        api,
        auth,
        dashboards,
        events,
        municipalities,
        programs,
        public,
        testimonials,
    )

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(municipalities.bp)
    app.register_blueprint(municipalities.people_bp)
    app.register_blueprint(programs.bp)
    app.register_blueprint(programs.enrollments_bp)
    app.register_blueprint(events.bp)
    app.register_blueprint(testimonials.bp)
    app.register_blueprint(testimonials.notifications_bp)
    app.register_blueprint(dashboards.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)

    errors.register(app)
    cli.register(app)
    return app
