"""The web UI and the JSON API (FastAPI): `create_app(settings)`."""

from search_api.web.app import create_app

__all__ = ["create_app"]
