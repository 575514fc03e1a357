"""The plugin's refusals: what the painter can act on, shown in the docker's status line."""


class DocumentError(Exception):
    """The document cannot be used as it is (no document, no selection for inpaint, unsupported colour space)."""


class DocumentClosed(DocumentError):
    """The document a job belongs to was closed: its results have nowhere to go."""

    def __init__(self):
        super().__init__("The document was closed before the result arrived; the result was dropped.")
