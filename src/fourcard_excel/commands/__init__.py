"""Click commands, one module per command family. Each module exposes ``COMMANDS``."""
