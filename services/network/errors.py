"""The network's rule errors."""

from __future__ import annotations


class NetworkError(ValueError):
    """An action the data does not allow (shown to the staff member as is)."""
