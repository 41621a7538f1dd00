"""File formats customner reads and writes (Azure's project file)."""
