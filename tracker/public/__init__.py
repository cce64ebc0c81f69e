"""What everyone sees: the home page, open data, the language switcher, and
the probes and metrics (``health.py``, which adds its views to ``bp``)."""

from tracker.public import health
from tracker.public.routes import bp

__all__ = ["bp", "health"]
