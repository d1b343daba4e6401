"""The web side: the REST API (``api/``, one stack for every /api operation), the dashboard, sign-in with
GitHub, rate limits and live updates; ``githubapp.app`` wires their routes and middleware in."""
