"""The working group's rule errors."""

from __future__ import annotations


class WorkgroupError(ValueError):
    """An action the data does not allow (shown to the staff member as is, in Thai)."""
