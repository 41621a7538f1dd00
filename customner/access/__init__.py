"""Who may do what: Studio sessions, users and roles, scoped API keys, and the one policy that decides."""
