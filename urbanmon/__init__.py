"""Event-driven monitoring data platform for the Jinan new-type urbanization plan 2021-2035."""
