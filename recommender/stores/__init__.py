"""What persists or caches the ranking models: the index, the community model, the
semantic embeddings and members' profile vectors. May import `ranking`, `members`
(profile inputs) and `storage`."""
