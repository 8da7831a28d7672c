"""What members are shown: recommendations, search and "why", and digests. May import
`ranking`, `members` and `storage`."""
