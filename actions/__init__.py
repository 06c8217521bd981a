"""Rasa SDK custom actions, one module per topic. No work at import time."""
