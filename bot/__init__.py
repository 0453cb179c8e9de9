"""Rasa project side (ENGINE runtime): domain, custom NLU components."""
