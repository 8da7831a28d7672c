"""Test support: a real HTTP server with scripted faults."""
