"""Errors shared by the ingestion sources."""

from recommender.papers import BadRecord


class SourceError(RuntimeError):
    """A whole source failed (unreachable, not a feed, unreadable file)."""


__all__ = ["BadRecord", "SourceError"]
