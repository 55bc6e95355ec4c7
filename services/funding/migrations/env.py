from sqlmodel import SQLModel

import services.funding.models  # noqa: F401  (its import puts the service's tables on the metadata)
from shared.kit.migrate import run_migrations

run_migrations(SQLModel.metadata)
