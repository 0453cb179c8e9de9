"""The catalog: what each item needs, where it is accepted, and how to find it from words."""
