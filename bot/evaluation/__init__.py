"""Evaluation of an intent set for admins: cross-validation, Rasa-style reports, plots, checks."""
