from tracker.dashboards.routes import bp

__all__ = ["bp"]
