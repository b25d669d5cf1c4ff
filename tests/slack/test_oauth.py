"""OAuth distribution: install through /slack/install and /slack/oauth_redirect against the sandbox's
oauth.v2.access; tokens encrypted at rest; one organization per workspace, each blind to the
others; uninstall revokes and pauses; rotating tokens are refreshed before they expire."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.orgs.service import find_org, get_role
from bot.slack.bot_tokens import NoBotToken, bot_token_for
from db.models import AuditEvent, Installation, Job, Organization, Schedule, ScheduleState, Workspace
from tests.support.rows import active_schedule
from tests.support.slack import CLIENT_ID, Service, SlackWorkspace, audit_actions, new_workspace

STATE = re.compile(r"[?&;]state=([A-Za-z0-9_-]+)")


async def install(
    service: Service, workspace: SlackWorkspace, *, installer: str | None = None, rotation: bool = False
) -> uuid.UUID:
    async with service.http.get(f"{service.url}/slack/install") as response:
        assert response.status == 200
        page = await response.text()
        assert "slack-app-oauth-state=" in response.headers["Set-Cookie"]
    assert f"{service.sandbox.authorize_url}?" in page and f"client_id={CLIENT_ID}" in page
    assert (
        "scope=commands,chat:write,files:write,users:read,im:write,channels:read,groups:read,im:read,mpim:read" in page
    )
    state = STATE.search(page).group(1)
    code = service.sandbox.issue_oauth_code(
        workspace.team_id, user_id=installer or workspace.owner, token_rotation=rotation
    )
    async with service.http.get(
        f"{service.url}/slack/oauth_redirect",
        params={"code": code, "state": state},
        headers={"Cookie": f"slack-app-oauth-state={state}"},
    ) as response:
        assert response.status == 200, await response.text()
    found = await find_org(service.database, workspace.team_id)
    assert found is not None
    return found.org_id


async def _installation(service: Service, org_id: uuid.UUID) -> Installation:
    async with service.database.tenant(org_id) as session:
        return (await session.execute(select(Installation).order_by(Installation.id.desc()))).scalars().first()


async def test_install_creates_the_organization_and_stores_the_token_encrypted(oauth: Service) -> None:
    ws = oauth.workspace
    org_id = await install(oauth, ws, installer=ws.editor)
    assert await get_role(oauth.database, org_id, ws.editor) == "admin"
    row = await _installation(oauth, org_id)
    assert row.team_id == ws.team_id and row.user_id == ws.editor and row.revoked_at is None
    raw = ws.bot_token.encode()
    for column in Installation.__table__.columns:
        value = getattr(row, column.key)
        assert raw not in (value if isinstance(value, bytes) else str(value).encode()), column.key
    assert oauth.runtime.secrets.decrypt(row.bot_token_enc) == ws.bot_token
    assert await bot_token_for(oauth.runtime, org_id) == ws.bot_token
    assert "app.installed" in await audit_actions(oauth.database, org_id)
    # The installer is an admin at once; the token works for commands.
    answer = await oauth.command("audit 3", user=ws.editor)
    assert "audit events" in answer.text


async def test_a_failed_state_check_installs_nothing(oauth: Service) -> None:
    code = oauth.sandbox.issue_oauth_code(oauth.workspace.team_id, user_id=oauth.workspace.owner)
    async with oauth.http.get(
        f"{oauth.url}/slack/oauth_redirect",
        params={"code": code, "state": "forged"},
        headers={"Cookie": "slack-app-oauth-state=forged"},
    ) as response:
        assert response.status == 401
    assert await find_org(oauth.database, oauth.workspace.team_id) is None


async def test_second_workspace_is_a_second_organization_blind_to_the_first(oauth: Service) -> None:
    first, second = oauth.workspace, new_workspace(oauth.sandbox)
    org_one = await install(oauth, first)
    org_two = await install(oauth, second)
    assert org_one != org_two
    await oauth.command(f"role <@{first.editor}|eddie> editor", user=first.owner)
    assert "Working on it" in (await oauth.command("text hello from one", user=first.editor)).text
    assert (
        "Working on it"
        in (
            await oauth.command(
                "text hello from two", user=second.owner, team_id=second.team_id, channel=second.general
            )
        ).text
    )
    async with oauth.database.tenant(org_two) as session:
        assert (await session.execute(select(Organization.id))).scalars().all() == [org_two]
        assert (await session.execute(select(Workspace.team_id))).scalars().all() == [second.team_id]
        assert (await session.execute(select(Installation.team_id))).scalars().all() == [second.team_id]
        jobs = (await session.execute(select(Job.masked_prompt))).scalars().all()
    assert jobs == ["hello from two"]
    # The second workspace's users are unknown to the first organization.
    assert await get_role(oauth.database, org_one, second.owner) is None


async def test_unknown_workspace_is_refused_politely_and_nothing_is_stored(oauth: Service) -> None:
    answer = await oauth.command("text hello", user=oauth.workspace.owner)
    assert answer.status == 200 and answer.ephemeral
    assert "isn't installed for this workspace" in answer.text
    assert await find_org(oauth.database, oauth.workspace.team_id) is None
    assert oauth.sandbox.calls(team_id=oauth.workspace.team_id) == []


async def test_uninstall_revokes_pauses_schedules_and_keeps_the_audit(oauth: Service) -> None:
    ws = oauth.workspace
    org_id = await install(oauth, ws)
    async with oauth.database.tenant(org_id) as session:
        session.add(
            active_schedule(
                org_id,
                ws.owner,
                ws.general,
                "weekly news",
                cron="0 9 * * 1",
                next_run_at=datetime.now(UTC) + timedelta(days=1),
            )
        )
    assert "Token budget" in (await oauth.command("quota")).text
    audit_before = await audit_actions(oauth.database, org_id)

    assert await oauth.event({"type": "app_uninstalled"}) == 200

    row = await _installation(oauth, org_id)
    assert row.revoked_at is not None
    async with oauth.database.tenant(org_id) as session:
        assert (await session.execute(select(Workspace.revoked_at))).scalar_one() is not None
        assert (await session.execute(select(Schedule.state))).scalars().all() == [ScheduleState.PAUSED]
    actions = await audit_actions(oauth.database, org_id)
    assert actions[: len(audit_before)] == audit_before and actions[-1] == "app.uninstalled"
    answer = await oauth.command("quota")
    assert "was uninstalled from this workspace" in answer.text
    try:
        await bot_token_for(oauth.runtime, org_id)
        raise AssertionError("an uninstalled organization has no bot token")
    except NoBotToken:
        pass

    # Reinstalling brings the workspace back; its schedules stay paused for an admin to resume.
    assert await install(oauth, ws) == org_id
    assert "Token budget" in (await oauth.command("quota")).text
    async with oauth.database.tenant(org_id) as session:
        assert (await session.execute(select(Schedule.state))).scalars().all() == [ScheduleState.PAUSED]


async def test_tokens_revoked_counts_only_for_the_bot_token(oauth: Service) -> None:
    ws = oauth.workspace
    org_id = await install(oauth, ws)
    await oauth.event({"type": "tokens_revoked", "tokens": {"oauth": [ws.owner]}})
    assert (await _installation(oauth, org_id)).revoked_at is None
    await oauth.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}})
    assert (await _installation(oauth, org_id)).revoked_at is not None
    assert (await audit_actions(oauth.database, org_id))[-1] == "app.uninstalled"


async def _expire_soon(service: Service, org_id: uuid.UUID) -> None:
    async with service.database.tenant(org_id) as session:
        await session.execute(
            update(Installation).values(bot_token_expires_at=datetime.now(UTC) + timedelta(minutes=5))
        )


async def test_rotating_tokens_are_refreshed_before_they_expire(oauth: Service) -> None:
    ws = oauth.workspace
    org_id = await install(oauth, ws, rotation=True)
    first = await bot_token_for(oauth.runtime, org_id)
    assert first.startswith("xoxe.xoxb-")
    row = await _installation(oauth, org_id)
    assert row.bot_refresh_token_enc is not None and row.bot_token_expires_at is not None

    def refreshes() -> list[object]:
        return [c for c in oauth.sandbox.calls("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"]

    await _expire_soon(oauth, org_id)
    second = await bot_token_for(oauth.runtime, org_id)
    assert second != first and len(refreshes()) == 1
    assert await bot_token_for(oauth.runtime, org_id) == second  # fresh now: no second refresh
    assert len(refreshes()) == 1
    assert "token.rotated" in await audit_actions(oauth.database, org_id)

    # A command arriving when the token is about to expire is served with a refreshed one.
    await _expire_soon(oauth, org_id)
    assert "Token budget" in (await oauth.command("quota")).text
    assert len(refreshes()) == 2
    third = await bot_token_for(oauth.runtime, org_id)
    assert third not in (first, second)
    async with oauth.database.tenant(org_id) as session:
        assert (await session.execute(select(func.count()).select_from(Installation))).scalar_one() == 1


async def test_a_reinstall_by_a_viewer_keeps_them_a_viewer(oauth: Service) -> None:
    ws = oauth.workspace
    org_id = await install(oauth, ws, installer=ws.editor)  # the first install: its installer is admin
    assert "is now a *viewer*" in (await oauth.command(f"role <@{ws.viewer}|vera> viewer", user=ws.editor)).text

    assert await install(oauth, ws, installer=ws.viewer) == org_id

    assert await get_role(oauth.database, org_id, ws.viewer) == "viewer"
    assert await get_role(oauth.database, org_id, ws.editor) == "admin"
    refused = await oauth.command("audit 3", user=ws.viewer)
    assert "needs the admin role and you are a viewer" in refused.text
    installed = await _last_event(oauth, org_id, "app.installed")
    assert installed["installer_role"] == "viewer" and installed["installer_workspace_admin"] is False


async def test_a_reinstall_by_someone_unknown_gives_them_no_role(oauth: Service) -> None:
    ws = oauth.workspace
    org_id = await install(oauth, ws, installer=ws.editor)
    await install(oauth, ws, installer=ws.bystander)
    assert await get_role(oauth.database, org_id, ws.bystander) is None
    # Their first command enrols them like anyone else: with the default role.
    assert "needs the admin role and you are a viewer" in (await oauth.command("audit", user=ws.bystander)).text


async def test_a_reinstall_by_a_workspace_admin_makes_them_an_admin(oauth: Service) -> None:
    ws = oauth.workspace
    org_id = await install(oauth, ws, installer=ws.editor)
    await oauth.command(f"role <@{ws.owner}|olive> viewer", user=ws.editor)
    assert await get_role(oauth.database, org_id, ws.owner) == "viewer"

    await install(oauth, ws, installer=ws.owner)  # Slack reports the owner as a workspace owner

    assert await get_role(oauth.database, org_id, ws.owner) == "admin"
    assert (await _last_event(oauth, org_id, "app.installed"))["installer_workspace_admin"] is True


async def test_a_reinstall_keeps_roles_when_slack_cannot_say_who_the_installer_is(oauth: Service) -> None:
    ws = oauth.workspace
    org_id = await install(oauth, ws, installer=ws.editor)
    await oauth.command(f"role <@{ws.owner}|olive> viewer", user=ws.editor)
    oauth.sandbox.inject("users.info", error="fatal_error")

    await install(oauth, ws, installer=ws.owner)

    oauth.sandbox.clear_faults()
    assert await get_role(oauth.database, org_id, ws.owner) == "viewer"


async def _last_event(service: Service, org_id: uuid.UUID, action: str) -> dict[str, object]:
    async with service.database.tenant(org_id) as session:
        return (
            await session.execute(
                select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc()).limit(1)
            )
        ).scalar_one()
