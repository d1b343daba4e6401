"""What operators watch: Prometheus metrics, structured logs, and the ``/health`` endpoints."""
