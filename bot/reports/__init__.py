"""Reports built from the store for more than one reader: the chat, the staff pages and the CLI."""
