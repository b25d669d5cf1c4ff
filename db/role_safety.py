"""Is the role a process connects as one that Row-Level Security holds for?

Tenant isolation rests on the application role being plain: RLS does not apply to a superuser or
to a role with BYPASSRLS, a table's owner can switch it off, and a role that inherits the definer
role's rights passes the definer's ``USING (true)`` policies, so it sees every organization.
``serve``, ``worker`` and ``beat`` refuse to start as such a role, and ``/readyz`` says not ready.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from db.rls import DEFINER_ROLE

# Tables (and partitioned tables) in the schemas the role resolves names in, whose owner's rights
# the role holds: directly, or as a member of the owning role.
_INSPECT = text(
    """
    SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypass_rls,
           CASE WHEN d.oid IS NULL THEN false
                ELSE pg_has_role(r.oid, d.oid, 'USAGE') END AS inherits_definer,
           ARRAY(SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY (current_schemas(false))
                    AND pg_has_role(r.oid, c.relowner, 'MEMBER')
                  ORDER BY c.relname LIMIT 3) AS owned_tables
      FROM pg_roles r LEFT JOIN pg_roles d ON d.rolname = :definer
     WHERE r.rolname = current_user
    """
)


@dataclass(frozen=True)
class RoleSafety:
    role: str
    superuser: bool
    bypass_rls: bool
    inherits_definer: bool
    owned_tables: tuple[str, ...]

    @property
    def problem(self) -> str | None:
        """One line saying why the role is unsafe and what to do about it; None when it is safe."""
        role = self.role
        fix = (
            "point DATABASE_URL at the application role that `content-factory migrate` creates "
            "(the owner role goes in DATABASE_ADMIN_URL)"
        )
        if self.superuser:
            return f"DATABASE_URL connects as {role}, a superuser, which Row-Level Security does not hold; {fix}"
        if self.bypass_rls:
            return f"DATABASE_URL connects as {role}, which has BYPASSRLS; run ALTER ROLE {role} NOBYPASSRLS, or {fix}"
        if self.owned_tables:
            tables = ", ".join(self.owned_tables)
            return f"DATABASE_URL connects as {role}, which owns tables ({tables}) and could turn Row-Level Security off; {fix}"
        if self.inherits_definer:
            return (
                f"DATABASE_URL connects as {role}, which inherits {DEFINER_ROLE} and so sees every organization; "
                f"run REVOKE {DEFINER_ROLE} FROM {role} (as the owner role)"
            )
        return None


async def inspect_role(connection: AsyncConnection) -> RoleSafety:
    row = (await connection.execute(_INSPECT, {"definer": DEFINER_ROLE})).one()
    return RoleSafety(
        role=row.role,
        superuser=row.superuser,
        bypass_rls=row.bypass_rls,
        inherits_definer=row.inherits_definer,
        owned_tables=tuple(row.owned_tables),
    )
