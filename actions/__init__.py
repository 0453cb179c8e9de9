"""Rasa custom actions (APP runtime, rasa-sdk). Thin adapters over :mod:`chuangkou`."""
