"""Errors that the command line reports as one clear line (no traceback)."""


class PresswatchError(Exception):
    """A failure the user can act on; its message says what broke and, where known, what to do."""
