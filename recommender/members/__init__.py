"""Members and servers as the database holds them: topics, feedback, the reading list,
profile inputs, DM settings and server digest settings. May import `ranking` (for
`ProfileInputs`) and `storage`."""
