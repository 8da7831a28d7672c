"""Errors shared by the ingestion sources."""


class BadRecord(ValueError):
    """One input record that cannot be used; the message says why."""


class SourceError(RuntimeError):
    """A whole source failed (unreachable, not a feed, unreadable file)."""
