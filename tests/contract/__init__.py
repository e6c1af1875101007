"""Contract tests: the client against Prism, an independent implementation of the pinned spec."""
