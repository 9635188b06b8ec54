"""The project's exception tree.

* MonitorError            anything the CLI reports as a message, never a traceback
  + ConfigError           feeds.toml is wrong; names the key and the line
  + StoreError            the database cannot be opened or migrated
  + FetchError            one source could not be fetched (kept on the source row)
    - ResponseTooLarge    the body passed the configured size cap
    - BlockedAddress      the URL resolves to a private/loopback/link-local address
  + ModelError            a classifier artifact is missing, corrupt or from another version
  + DeliveryError         a notifier could not send; ``retryable`` tells the outbox what to do
"""


class MonitorError(Exception):
    """Base class: the CLI prints these as one clear line."""


class ConfigError(MonitorError):
    def __init__(self, message: str, key: str | None = None, line: int | None = None, path: str | None = None):
        self.key, self.line, self.path = key, line, path
        where = ""
        if path:
            where = f"{path}"
            if line:
                where += f":{line}"
            where += ": "
        label = f"{key}: " if key else ""
        super().__init__(f"{where}{label}{message}")


class StoreError(MonitorError):
    pass


class FetchError(MonitorError):
    """A failed fetch. ``retry_after`` (seconds) comes from the server when it asked us to wait."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status, self.retry_after = status, retry_after


class ResponseTooLarge(FetchError):
    pass


class BlockedAddress(FetchError):
    pass


class ModelError(MonitorError):
    pass


class DeliveryError(MonitorError):
    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable
