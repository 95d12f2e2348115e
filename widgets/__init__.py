"""Qt views of IOC Console. Thin: they render app/ data and emit requests."""
