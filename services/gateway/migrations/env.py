from services.gateway.models import SQLModel
from shared.migrate import run_migrations

run_migrations(SQLModel.metadata)
