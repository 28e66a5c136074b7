"""One module per write use case; each is a class with ``async def __call__``."""
