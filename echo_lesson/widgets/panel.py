"""What every panel shares: it shows its widget, with a plain-text line that stays the same
(so stored notebook outputs do not change as a panel updates), and it is a context manager
that closes it (stopping its server, or its clients) on the way out."""
from __future__ import annotations


class Panel:
    """A panel has .widget and a short `plain` text; close() ends what it started."""

    widget = None

    def plain(self) -> str:
        """The text/plain form of the panel: stable, for stored outputs."""
        return f"<{type(self).__name__}>"

    def close(self) -> None:
        """End what the panel started (nothing, unless a panel says otherwise)."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.plain()
        return bundle

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
