"""The WSGI entry point: ``gunicorn wsgi:app``."""

from tracker import create_app
from tracker.serving import tune_garbage_collector

app = create_app()
tune_garbage_collector()
