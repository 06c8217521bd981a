"""Co-production companion: the application package."""
