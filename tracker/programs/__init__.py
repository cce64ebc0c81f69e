from tracker.programs.enrollments import bp as enrollments_bp
from tracker.programs.routes import bp

__all__ = ["bp", "enrollments_bp"]
