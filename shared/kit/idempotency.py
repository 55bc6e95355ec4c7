"""Idempotency-Key on POST: the same key and body give the same answer, never a duplicate."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from sqlalchemy import Column, Integer, String, Text, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel

from shared.kit.db import table_of
from shared.kit.deps import DbSession
from shared.kit.http import PROBLEM_JSON, LotseError
from shared.kit.sqltypes import UTCDateTime, utcnow

KEY_MAX_LENGTH = 200
KEEP_FOR = timedelta(hours=24)


class IdempotencyKeyReused(LotseError):
    status, slug, title = 422, "idempotency-key-reused", "Idempotency-Key used for another request"


class ReplayedAnswer(Exception):
    """The answer to an earlier request with the same key; the app sends it as it was."""

    def __init__(self, response: Response) -> None:
        super().__init__("replayed")
        self.response = response


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_keys"

    scope: str = Field(sa_column=Column(String(200), primary_key=True))
    key: str = Field(sa_column=Column(String(200), primary_key=True))
    request_hash: str = Field(sa_column=Column(String(64), nullable=False))
    status_code: int = Field(sa_column=Column(Integer, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    headers: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


@dataclass
class IdempotentRequest:
    """The Idempotency-Key of one POST, and what the endpoint answered to it before."""

    scope: str
    key: str | None
    request_hash: str

    async def stored_answer(self, session: AsyncSession) -> Response | None:
        """The stored answer to an earlier request with this key, if there was one."""
        if self.key is None:
            return None
        record = await session.get(IdempotencyRecord, (self.scope, self.key))
        if record is None:
            return None
        if record.created_at < utcnow() - KEEP_FOR:
            await session.delete(record)
            await session.flush()
            return None
        if record.request_hash != self.request_hash:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was sent before with a different body; use a new key."
            )
        headers = json.loads(record.headers) | {"Idempotent-Replayed": "true"}
        return Response(
            content=record.body,
            status_code=record.status_code,
            headers=headers,
            media_type="application/json",
        )

    def remember(
        self, session: AsyncSession, *, status_code: int, body: str, headers: dict[str, str]
    ) -> None:
        """Store the answer in the same transaction as the effects it describes."""
        if self.key is None:
            return
        session.add(
            IdempotencyRecord(
                scope=self.scope,
                key=self.key,
                request_hash=self.request_hash,
                status_code=status_code,
                body=body,
                headers=json.dumps(headers),
                created_at=utcnow(),
            )
        )

    def created(
        self,
        session: AsyncSession,
        body: str,
        headers: dict[str, str] | None = None,
        *,
        replay_as: LotseError | None = None,
    ) -> Response:
        """The 201 answer to this POST, remembered with its effects for later replays.

        `replay_as` is remembered instead when the answer must not be given twice (it
        holds a secret shown once): a retry then gets that problem.
        """
        headers = headers or {}
        if replay_as is None:
            self.remember(session, status_code=201, body=body, headers=headers)
        else:
            self.remember(
                session,
                status_code=replay_as.status,
                body=json.dumps(replay_as.problem()),
                headers={"Content-Type": PROBLEM_JSON, "Cache-Control": "no-store"},
            )
        return Response(body, status_code=201, media_type="application/json", headers=headers)


async def purge_expired(session: AsyncSession) -> None:
    """Forget answers older than KEEP_FOR; a key may be used anew after that."""
    table = table_of(IdempotencyRecord)
    await session.execute(delete(table).where(table.c.created_at < utcnow() - KEEP_FOR))


async def idempotent_request(
    request: Request,
    session: DbSession,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=KEY_MAX_LENGTH,
            description="makes a retry safe: the same key and body answer the first answer "
            "again for 24 hours; the same key with another body is a 422",
            examples=["bauakte-2026-1"],
        ),
    ] = None,
) -> IdempotentRequest:
    """FastAPI dependency: read Idempotency-Key and fingerprint the request body.

    A retry with a key already answered ends here: ReplayedAnswer carries the first
    answer out, and the endpoint does not run again.
    """
    key = idempotency_key
    if key is None:  # nothing to replay or remember: no scope or fingerprint to build
        return IdempotentRequest(scope="", key=None, request_hash="")
    principal: Any = getattr(request.state, "principal", None)
    subject = getattr(principal, "subject", "anonymous")
    # The same bytes as CSV or as JSON Lines are different requests.
    fingerprint = hashlib.sha256(request.headers.get("content-type", "").encode() + b"\n")
    fingerprint.update(await request.body())
    answer = IdempotentRequest(
        scope=f"{subject}:{request.method}:{request.url.path}",
        key=key,
        request_hash=fingerprint.hexdigest(),
    )
    stored = await answer.stored_answer(session)
    if stored is not None:
        raise ReplayedAnswer(stored)
    return answer


Idempotency = Annotated[IdempotentRequest, Depends(idempotent_request)]
"""The Idempotency-Key of a POST whose first answer was not given yet."""
