"""Errors the assistant reports to users as one clear line."""


class AssistantError(Exception):
    """Base of every error meant to be shown to a user as is."""


class CorpusError(AssistantError):
    """The corpus folder or one of its files cannot be used."""


class QuestionError(AssistantError):
    """The question is empty, too long or otherwise unusable."""


class IndexUnavailableError(AssistantError):
    """The index is missing, built with another embedder, or unreadable."""


class IndexBusyError(AssistantError):
    """Another writer held the index's write lock for longer than the wait allowed."""
