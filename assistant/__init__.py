"""A grounded question-answering assistant over a small corpus of articles, citing every claim."""

from assistant import offline as _offline  # noqa: F401  (sets the offline environment first)
