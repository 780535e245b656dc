"""The semiannual rating of the institutions' press services (R10)."""
