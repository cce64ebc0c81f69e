"""Admin pages: users."""
