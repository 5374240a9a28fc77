"""Alembic environment: runs on the connection dangan hands it (see storage.db.migrate)."""

from alembic import context

import storage.accounts  # noqa: F401  (puts users, roles, sessions and tokens on Base.metadata)
import storage.documents  # noqa: F401  (puts the document tables on Base.metadata)
import storage.outbox  # noqa: F401  (puts the search outbox on Base.metadata)
import storage.register  # noqa: F401  (puts the register tables on Base.metadata)
from storage.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
