"""The REST API (``/api/...``) for other CI systems and the dashboard; API-key authentication in ``auth``."""
