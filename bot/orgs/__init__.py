"""Organizations: the policy a tenant runs under, its members' roles, the settings an admin
changes from Slack, and reading its audit trail.

``service`` (organizations, their workspaces and members' roles, ``OrgPolicy``), ``roles`` (the RBAC table), ``settings``
(approvals and the approvers' channel), ``audit_log`` (recent events for `/content audit`).
"""
