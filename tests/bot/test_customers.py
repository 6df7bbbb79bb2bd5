from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.customers import CustomerDataError, CustomerStore
from bot.settings import TierRules

DAY = 86400.0


async def test_tier_comes_from_history_until_people_set_one(redis_client: Redis) -> None:
    store = CustomerStore(
        redis_client, TierRules(regular_after_active_days=2, loyal_after_active_days=3)
    )
    start = 1_800_000_000.0
    await store.seen("telegram:42", "Li Lei", start)
    assert (await store.get("telegram:42")).tier == "new"  # first contact
    await store.seen("telegram:42", "Li Lei", start + 60)  # same day: still new
    assert (await store.get("telegram:42")).tier == "new"
    await store.seen("telegram:42", "Li Lei", start + DAY)
    assert (await store.get("telegram:42")).tier == "regular"
    await store.seen("telegram:42", "Li Lei", start + 2 * DAY)
    view = await store.get("telegram:42")
    assert (view.tier, view.tier_source) == ("loyal", "history")
    assert view.history["messages"] == 4 and view.display_name == "Li Lei"
    await store.set_profile("telegram:42", "vip", "李雷")
    view = await store.get("telegram:42")
    assert (view.tier, view.tier_source, view.display_name) == ("vip", "profile", "李雷")


async def test_csv_import_is_all_or_nothing(redis_client: Redis) -> None:
    store = CustomerStore(redis_client, TierRules())
    assert (
        await store.import_csv("key,tier,display_name\nwechat:o1,vip,王女士\ntelegram:7,loyal\n")
        == 2
    )
    assert (await store.get("wechat:o1")).tier == "vip"
    with pytest.raises(CustomerDataError, match="row 2"):
        await store.import_csv("wechat:o2,vip\nwechat:o3,gold\n")
    assert (await store.get("wechat:o2")).tier_source == "history"  # nothing half-imported


async def test_unknown_tier_is_refused(redis_client: Redis) -> None:
    with pytest.raises(CustomerDataError, match="tier must be one of"):
        await CustomerStore(redis_client, TierRules()).set_profile("x:1", "platinum")
