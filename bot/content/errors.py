"""The one error the content layer raises."""


class ContentError(ValueError):
    """A pack, glossary or contacts file is wrong: the message names the file, field and problem."""
