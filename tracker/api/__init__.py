"""JSON API under /api/v1: the shared core (``core.py``, ``schemas.py``) and the
OpenAPI document (``openapi.py``), which lists every domain's ``api.py``."""
