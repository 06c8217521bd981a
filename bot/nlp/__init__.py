"""Language tools: the local spaCy pipeline, the risk backstop and Rasa components."""
