import uuid

from sqlalchemy import func, select

from db.engine import Database
from db.models import Organization, Workspace


async def test_new_organization_sees_only_itself(app_db: Database, org_id: uuid.UUID) -> None:
    async with app_db.tenant(org_id) as session:
        orgs = (await session.execute(select(Organization.id))).scalars().all()
        assert orgs == [org_id]
        assert (await session.execute(select(func.count()).select_from(Workspace))).scalar_one() == 1


async def test_no_tenant_sees_no_rows(app_db: Database, org_id: uuid.UUID) -> None:
    async with app_db.system() as session:
        assert (await session.execute(select(func.count()).select_from(Organization))).scalar_one() == 0
