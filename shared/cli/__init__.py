"""The `lotse` command: run the platform, load the demo region, issue keys, replay events."""

from shared.cli.main import main

__all__ = ["main"]
