"""The volunteer side: availability, open patrol slots and sign-ups, leave (blueprint in `routes.py`)."""
