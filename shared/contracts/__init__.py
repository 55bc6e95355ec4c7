"""The published language of Lotse: event payloads per bounded context.

Importing this package registers every event type with shared.events.
"""

from shared.contracts import gateway, projects

__all__ = ["gateway", "projects"]
