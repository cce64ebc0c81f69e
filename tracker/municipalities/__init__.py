from tracker.municipalities.people import bp as people_bp
from tracker.municipalities.routes import bp

__all__ = ["bp", "people_bp"]
