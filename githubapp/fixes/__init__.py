"""Suggested fixes: finding them (history, rules, LLM), checking them, committing approved ones."""
