"""Ingestion: sources that produce PaperRecords and the idempotent store they land in."""
