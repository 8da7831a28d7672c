"""Errors whose message is meant for the person who typed the command."""


class PaperbotError(ValueError):
    """Bad input or an impossible request; `str(error)` is a clear message for the user."""


class UnknownPaper(PaperbotError):
    pass

