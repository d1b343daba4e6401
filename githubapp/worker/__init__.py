"""The arq worker: the registry of jobs and crons with one retry policy, retention, the heartbeat and the
container health check that reads it."""
