"""The `s2s` command."""
