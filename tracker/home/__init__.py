"""Each role's home page after signing in: what waits for them."""

from tracker.home.routes import bp

__all__ = ["bp"]
