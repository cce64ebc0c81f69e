"""API endpoints: places."""
