"""API endpoints: events."""
