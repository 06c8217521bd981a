"""Channel edges: turn channel ids into pseudonyms and pass clean text to Rasa."""
