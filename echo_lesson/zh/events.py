"""Chinese for events (filled in by the i18n work of issue 8)."""

TEXTS: dict[str, str] = {}
PATTERNS: list[tuple[str, str]] = []
