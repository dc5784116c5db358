"""funds."""
