"""Custom Rasa input channels (ENGINE runtime)."""
