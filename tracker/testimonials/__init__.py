from tracker.testimonials.notifications import bp as notifications_bp
from tracker.testimonials.routes import bp

__all__ = ["bp", "notifications_bp"]
