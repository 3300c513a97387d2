"""KPI computation and documents built from FieldLine's data."""
