"""customner: self-hosted custom named-entity recognition, wire-compatible with Azure AI Language."""

__version__ = "0.1.0"
