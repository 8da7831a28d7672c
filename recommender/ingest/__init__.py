"""Ingestion: sources that produce PaperRecords and the idempotent store they land in.
May import `storage` and `papers`; never `ranking`, `stores`, `members` or `picks`."""
