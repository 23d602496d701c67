"""The answers: the static ones by region (replies.py), each computed feature in a module of its own, and
their registry (registry.py)."""
