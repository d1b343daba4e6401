"""REST API, dashboard, sign-in with GitHub and live updates; ``githubapp.app`` wires their routes and
middleware in."""
