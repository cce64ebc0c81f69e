"""API endpoints: openapi."""
