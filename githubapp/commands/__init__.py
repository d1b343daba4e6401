"""PR comment commands (``/triage ...``) and check-run buttons: parsing, authorization, execution."""
