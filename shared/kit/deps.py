"""FastAPI dependencies every service route shares: the request's unit of work."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from shared.kit.db import session_scope


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    async for session in session_scope(request.app.state.db):
        yield session


# scope="function": the unit of work commits before the response leaves, so a 201
# is only ever sent for rows (and outbox events) that are durable.
DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]
"""The request's session; it commits once when the endpoint returns, or rolls back."""
