from sqlmodel import SQLModel

from shared.kit.migrate import run_migrations

run_migrations(SQLModel.metadata)
