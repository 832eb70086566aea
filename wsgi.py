"""The one module-level application, for `flask --app wsgi` and gunicorn."""
from app import create_app
from app.core.health import warn_about_schema

app = create_app()
warn_about_schema(app)  # a database down or not migrated is said at once, not at the first request
