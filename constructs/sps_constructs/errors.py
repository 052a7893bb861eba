"""The error raised for invalid construct arguments, naming the construct path and attribute."""


class SpsConfigError(ValueError):
    def __init__(self, where: str, attribute: str, message: str) -> None:
        super().__init__(f"{where}: {attribute}: {message}" if attribute else f"{where}: {message}")
        self.where = where
        self.attribute = attribute
        self.message = message
