"""Small shared test helpers."""
