"""Fix suggestions as pure logic: unified diffs, rule-based fixes read from logs, LLM prompt/answer checks."""
