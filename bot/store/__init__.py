"""The store: SQLAlchemy models, repository functions and migrations."""
