"""The GitHub App: settings, web app, webhook intake, GitHub client, handlers, jobs and CLI."""
