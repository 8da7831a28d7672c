"""Tests of bot/ui (a package, so test_feedback.py does not clash with tests/recommender/test_feedback.py)."""
