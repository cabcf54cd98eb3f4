"""The one exception a stage raises for input it cannot handle; it becomes an error record."""


class InputError(Exception):
    """An input that cannot be processed; `code` is stable, `message` tells the user what to do."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
