"""API endpoints: stats."""
