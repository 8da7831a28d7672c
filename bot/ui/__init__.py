"""UI shared by every feature: the persistent feedback controls under picks and digests."""
