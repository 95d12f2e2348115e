"""The console's Qt-free client: hub transport (one IO thread) and the session that wires it to the cache."""
