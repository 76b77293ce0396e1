"""The bridge between the portal and the engine: views call these, never the scheduler directly."""
