"""The one error the risk-point rules raise for staff: a Thai sentence shown as is."""

from __future__ import annotations


class RiskPointError(ValueError):
    """An action the data does not allow (shown to the staff member as is)."""
