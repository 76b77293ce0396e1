"""Rosters and solve jobs: the tables (`models.py`); the solving bridge is `web/services/solving.py`."""
