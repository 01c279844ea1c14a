"""Exceptions shared by every layer (files and arguments that cannot be used at all)."""

from __future__ import annotations


class InputError(ValueError):
    """A file or argument that cannot be used at all (missing, unreadable, wrong layout).

    The command-line interface exits with status 2 and prints the message for these errors.
    """


class ModelFileError(InputError):
    """A model file that is missing, truncated or not written by :func:`save_model`."""
