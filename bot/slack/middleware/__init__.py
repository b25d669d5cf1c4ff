"""Bolt middleware of this service: who the organization is, and what the user may do."""

from bot.slack.middleware.member_role import MemberRoleMiddleware, MemberRoles
from bot.slack.middleware.tenancy import TenancyMiddleware, Tenant, TenantDirectory

__all__ = ["MemberRoleMiddleware", "MemberRoles", "TenancyMiddleware", "Tenant", "TenantDirectory"]
