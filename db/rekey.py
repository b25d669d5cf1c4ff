"""Re-encrypt every stored secret under the first TOKEN_ENCRYPTION_KEY, so an older key can go.

Rotating a key is two steps: put the new key first (``new,old``) and restart, so new secrets use
it while old ones still decrypt; then run ``content-factory rekey`` and drop the old key. This
walks each organization in its own tenant transactions (the application role is enough) and
locks the rows it rewrites, so a token refreshed meanwhile is never overwritten with a stale one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import inspect, select, update

from db.audit import record_event
from db.crypto import SecretBox
from db.engine import Database
from db.models import Base, Installation, Job, Schedule
from db.system import list_org_ids

BATCH = 200

# Every column that holds Fernet ciphertext, by table.
ENCRYPTED_COLUMNS: dict[type, tuple[str, ...]] = {
    Installation: (
        "bot_token_enc",
        "bot_refresh_token_enc",
        "user_token_enc",
        "user_refresh_token_enc",
        "incoming_webhook_url_enc",
    ),
    Job: ("pii_mapping_enc",),
    Schedule: ("pii_mapping_enc",),
}


@dataclass
class RekeyReport:
    organizations: int = 0
    secrets: int = 0
    by_org: dict[uuid.UUID, int] = field(default_factory=dict)


async def _rekey_batch(
    database: Database, box: SecretBox, org_id: uuid.UUID, model: type[Base], columns: tuple[str, ...], after: object
) -> tuple[int, object | None]:
    """Rewrite one batch of ``model``'s rows after primary key ``after``; returns (secrets, last key)."""
    key = inspect(model).primary_key[0]
    attributes = [getattr(model, name) for name in columns]
    query = select(key, *attributes).order_by(key).limit(BATCH).with_for_update()
    if after is not None:
        query = query.where(key > after)
    rewritten = 0
    last = None
    async with database.tenant(org_id) as session:
        rows = (await session.execute(query)).all()
        for row in rows:
            last = row[0]
            values = {
                name: box.rotate(value) for name, value in zip(columns, row[1:], strict=True) if value is not None
            }
            if values:
                await session.execute(update(model).where(key == row[0]).values(**values))
                rewritten += len(values)
        if rewritten:
            await record_event(
                session,
                org_id,
                "secrets.rekeyed",
                actor="cli",
                detail={"table": model.__tablename__, "secrets": rewritten},
            )
    return rewritten, last if len(rows) == BATCH else None


async def rekey_secrets(database: Database, box: SecretBox) -> RekeyReport:
    """Re-encrypt every secret of every organization under ``box``'s first key.

    Raises ``ValueError`` on a secret none of the keys decrypts (nothing of that batch is changed)."""
    async with database.system() as session:
        org_ids = await list_org_ids(session)
    report = RekeyReport(organizations=len(org_ids))
    for org_id in org_ids:
        count = 0
        for model, columns in ENCRYPTED_COLUMNS.items():
            after: object | None = None
            while True:
                rewritten, after = await _rekey_batch(database, box, org_id, model, columns, after)
                count += rewritten
                if after is None:
                    break
        report.by_org[org_id] = count
        report.secrets += count
    return report
