"""/readyz is not ready while the web process runs as a role Row-Level Security does not hold for."""

from __future__ import annotations

from bot.process.runtime import Runtime
from db.crypto import SecretBox
from db.engine import Database
from sandbox.slack import SlackSandbox
from tests.support.database import TestDatabase
from tests.support.slack import Service, SlackWorkspace, start_service, stop_service


async def test_readyz_refuses_a_superuser_connection(
    single: Service,
    sandbox: SlackSandbox,
    workspace: SlackWorkspace,
    secret_box: SecretBox,
    test_database: TestDatabase,
) -> None:
    superuser = Database(test_database.admin_url, pool_size=1)
    runtime = Runtime(
        settings=single.runtime.settings, database=superuser, redis=single.runtime.redis, secrets=secret_box
    )
    service = await start_service(runtime, sandbox, workspace)
    try:
        async with service.http.get(f"{service.url}/readyz") as response:
            assert response.status == 503
            body = await response.json()
        assert body["status"] == "unavailable" and body["postgres"] == "ok" and body["database_role"] == "unsafe"
        assert "superuser" in body["unsafe"] and "down" not in body
    finally:
        await stop_service(service)
        await superuser.dispose()
