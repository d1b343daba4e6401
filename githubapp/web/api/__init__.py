"""The REST API under ``/api``: one package, one way to serve an operation.

Every operation is declared once (``openapi.Operation``, collected in ``table``): the declaration routes the
request, authenticates it (``auth``: one 401 policy), checks the key's scope, validates parameters and body,
answers errors in one shape (``errors``) and documents itself in /api/openapi.json. One module per resource
(runs, failures, patterns, flaky, fixes, metrics, ingest, snapshots, ...) holds its handlers and declarations.

Nothing is imported here: modules outside the API (the dashboard, sign-in, rate limits) import the pieces they
use without loading the whole table.
"""
