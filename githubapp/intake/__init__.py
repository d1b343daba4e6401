"""Webhook intake: verify, store, enqueue and dispatch deliveries; recover missed ones; installations;
the /setup flow that creates the App."""
