from collections.abc import AsyncIterator

import pytest
from support.portal import Portal, running_portal


@pytest.fixture
async def portal() -> AsyncIterator[Portal]:
    async with running_portal(concurrency=2) as running:
        yield running
