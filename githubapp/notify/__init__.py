"""Slack and email notifications for triaged failures. A failing notification never fails triage."""
