from tracker.public.routes import bp

__all__ = ["bp"]
