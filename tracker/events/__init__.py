from tracker.events.routes import bp

__all__ = ["bp"]
