"""Business rules. Services know nothing of HTTP; they raise ``customner.errors`` exceptions."""
