"""A service that keeps failing is left alone for a while: callers get a fast 503.

Without it, every caller of a hung service waits its full timeout, and the gateway's
connections to it pile up. After `failures` calls in a row that found no connection
or no answer in time, the circuit opens: calls are refused at once with
`Retry-After` for `open_seconds`. Then one call tries again; its answer closes the
circuit, or opens it anew.
"""

import time

from shared.kit.http import ServiceUnavailable


class CircuitBreaker:
    def __init__(self, *, failures: int, open_seconds: float) -> None:
        self.failures = failures
        self.open_seconds = open_seconds
        self._failed_in_a_row = 0
        self._open_until = 0.0

    def admit(self) -> None:
        """Let the call through, or refuse it while the circuit is open."""
        if self._failed_in_a_row < self.failures:
            return
        now = time.monotonic()
        if now < self._open_until:
            raise ServiceUnavailable(
                "The service behind this path keeps failing; not asked again for a moment.",
                retry_after=self._open_until - now,
            )
        # One trial call; the others are refused until it has answered.
        self._open_until = now + self.open_seconds

    def succeeded(self) -> None:
        self._failed_in_a_row = 0
        self._open_until = 0.0

    def failed(self) -> None:
        self._failed_in_a_row += 1
        if self._failed_in_a_row >= self.failures:
            self._open_until = time.monotonic() + self.open_seconds

    @property
    def open(self) -> bool:
        return self._failed_in_a_row >= self.failures and time.monotonic() < self._open_until
