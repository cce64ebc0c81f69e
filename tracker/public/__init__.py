from tracker.public import health  # noqa: F401  (adds /health to the blueprint)
from tracker.public.routes import bp

__all__ = ["bp"]
