"""Custom Rasa components. These run in the ENGINE runtime (Rasa 3.6, CPython 3.10)."""
