"""The platform simulator fixture (filled in by the simulator work)."""
