"""The admins' intent API over HTTP against the live app (API, worker, Redis): validation,
publishing a draft that makes things worse, rollback, history and diffs, the misses list, flags
from agents, and the audit log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from auth.users import UserStore
from bot.brain import Brain
from bot.misses import MissLog, miss_id
from switchboard.settings import Settings
from tests.agents import api_with_users, bearer

RECEIPTS = ["可以打个小票吗", "小票能补打吗"]  # not understood by the shipped intents
STORES = ["你们有实体店吗", "实体店在哪里"]  # off-topic for the shop assistant


@pytest.fixture
async def api(
    settings: Settings, brain: Brain, redis_client: Redis
) -> AsyncIterator[httpx.AsyncClient]:
    # Its own Brain object: a publish swaps the classifier in place, and the session's brain
    # must stay on the shipped intents.
    served = Brain(classifier=brain.classifier, assessor=brain.assessor)
    users = {"alice": "agent", "root": "admin"}
    async with api_with_users(settings, served, redis_client, users, http_timeout=30) as client:
        yield client


async def _intents(api: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
    response = await api.get("/api/intents", headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


def _intent(listing: dict[str, Any], name: str) -> dict[str, Any]:
    [intent] = [i for i in listing["intents"] if i["name"] == name]
    return {key: intent[key] for key in ("examples", "answers", "variants", "handoff")}


async def _say(api: httpx.AsyncClient, conversation: str, text: str) -> None:
    response = await api.post(
        "/webchat/messages", json={"conversation_id": conversation, "text": text}
    )
    assert response.status_code == 202, response.text


async def _poll(fetch: Any, ready: Any, what: str) -> Any:
    for _ in range(150):
        value = await fetch()
        if ready(value):
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"never got {what}")


async def test_only_admins_reach_the_editor(api: httpx.AsyncClient) -> None:
    agent = await bearer(api, "alice")
    assert (await api.get("/api/intents")).status_code == 401
    for method, path in [
        ("GET", "/api/intents"),
        ("POST", "/api/intents/evaluate"),
        ("GET", "/api/misses"),
        ("GET", "/api/audit"),
        ("DELETE", "/api/intents/invoice"),
    ]:
        assert (await api.request(method, path, headers=agent)).status_code == 403, path
    # Agents pick an intent when they flag a message: the names are open to them.
    names = await api.get("/api/intents/names", headers=agent)
    assert "invoice" in names.json() and "complaint" in names.json()


async def test_bad_edits_are_refused_and_nothing_is_stored_half_way(
    api: httpx.AsyncClient,
) -> None:
    admin = await bearer(api, "root")
    invoice = _intent(await _intents(api, admin), "invoice")
    cases = [
        ("invoice", {**invoice, "examples": ["只有一条"]}, None),
        ("Invoice Help", invoice, "lower-case"),
        ("invoice", {**invoice, "variants": {"gold": {"zh": "金卡"}}}, "variant 'gold'"),
        ("invoices", {**invoice, "rename_from": "no_such_intent"}, "no intent 'no_such_intent'"),
        ("refund_status", {**invoice, "rename_from": "invoice"}, "exists already"),
        ("invoice", {**invoice, "examples": ["发票" * 200, "开票"]}, "at most 300"),
    ]
    for name, body, reason in cases:
        response = await api.put(f"/api/intents/{name}", json=body, headers=admin)
        assert response.status_code == 422, (name, response.text)
        if reason:
            assert reason in response.json()["detail"]
    missing = await api.delete("/api/intents/no_such_intent", headers=admin)
    assert missing.status_code == 404
    assert (await _intents(api, admin))["draft"]["edited"] is False

    # A rename and a new VIP variant: the draft says what changed, the preview shows each tier.
    vip = {"zh": "尊敬的VIP，发票由专属客服为您开具。", "en": "Your VIP desk issues it."}
    renamed = await api.put(
        "/api/intents/invoice_help",
        headers=admin,
        json={**invoice, "variants": {"vip": vip}, "rename_from": "invoice"},
    )
    assert renamed.status_code == 200, renamed.text
    changes = renamed.json()["draft"]["changes"]
    assert changes["added"] == ["invoice_help"] and changes["removed"] == ["invoice"]
    preview = (
        await api.post(
            "/api/intents/preview",
            headers=admin,
            json={"intent": "invoice_help", "language": "zh", "channel": "private"},
        )
    ).json()
    assert preview["vip"] == vip["zh"] and "申请开票" in preview["regular"]
    deleted = await api.delete("/api/intents/greet", headers=admin)
    assert "greet" in deleted.json()["draft"]["changes"]["removed"]

    assert (await api.delete("/api/intents-draft", headers=admin)).json() == {"status": "discarded"}
    listing = await _intents(api, admin)
    assert listing["draft"]["edited"] is False
    assert {"invoice", "greet"} <= {i["name"] for i in listing["intents"]}
    actions = [entry["action"] for entry in (await api.get("/api/audit", headers=admin)).json()]
    assert actions == ["draft.discard", "intent.delete", "intent.put"]


async def test_a_worse_draft_needs_confirmation_and_rollback_restores_it(
    api: httpx.AsyncClient,
) -> None:
    admin = await bearer(api, "root")
    listing = await _intents(api, admin)
    cost, time_ = _intent(listing, "shipping_cost"), _intent(listing, "shipping_time")
    moved = cost["examples"][:12]  # "how much is shipping" taught as "how long does it take"
    for name, body in [
        ("shipping_time", {**time_, "examples": time_["examples"] + moved}),
        ("shipping_cost", {**cost, "examples": cost["examples"][12:]}),
    ]:
        assert (await api.put(f"/api/intents/{name}", json=body, headers=admin)).is_success

    refused = await api.post("/api/intents/publish", headers=admin, json={"note": "oops"})
    assert refused.status_code == 409
    worse = refused.json()["detail"]["worse"]
    assert any(line.startswith("shipping_cost: F1") for line in worse), worse
    assert (await api.get("/api/intents/versions", headers=admin)).json()[0]["version"] == 1

    published = await api.post(
        "/api/intents/publish", headers=admin, json={"note": "merge shipping", "confirm": True}
    )
    assert published.status_code == 200, published.text
    assert published.json()["version"]["version"] == 2
    assert published.json()["evaluation"]["makes_things_worse"] is True
    diff = (await api.get("/api/intents/versions/2/diff", headers=admin)).json()
    assert diff["compared_with"] == 1
    changed = {row["intent"]: row for row in diff["changed"]}
    assert changed["shipping_cost"]["examples_removed"] == moved
    assert (await _intents(api, admin))["draft"]["edited"] is False

    assert (
        await api.post("/api/intents/rollback", headers=admin, json={"version": 99})
    ).status_code == 404
    back = await api.post("/api/intents/rollback", headers=admin, json={"version": 1})
    assert back.status_code == 200 and back.json()["version"] == 3
    versions = (await api.get("/api/intents/versions", headers=admin)).json()
    assert [(v["version"], v["live"]) for v in versions] == [(3, True), (2, False), (1, False)]
    assert versions[1]["author"] == "root" and versions[1]["note"] == "merge shipping"
    undone = (await api.get("/api/intents/versions/3/diff", headers=admin)).json()
    assert {row["intent"]: row for row in undone["changed"]}["shipping_cost"][
        "examples_added"
    ] == moved
    assert _intent(await _intents(api, admin), "shipping_cost") == cost

    audit = (await api.get("/api/audit", headers=admin)).json()
    assert [entry["action"] for entry in audit[:2]] == ["intents.rollback", "intents.publish"]
    assert audit[1]["detail"]["confirmed_worse"] == worse


async def test_misses_are_grouped_assigned_or_dismissed_and_agents_flag_from_tickets(
    api: httpx.AsyncClient,
) -> None:
    admin, agent = await bearer(api, "root"), await bearer(api, "alice")
    for index, text in enumerate(RECEIPTS + STORES):
        await _say(api, f"conv-miss-{index:02d}", text)
    await _say(api, "conv-wants-a-person", "转人工")
    [ticket] = await _poll(
        lambda: _json(api.get("/api/tickets", headers=agent)),
        lambda tickets: len(tickets) == 1,
        "the ticket",
    )
    flagged = await api.post(
        f"/api/tickets/{ticket['id']}/flag",
        headers=agent,
        json={"intent": "invoice", "text": "收据可以当发票用吗"},
    )
    assert flagged.status_code == 200, flagged.text

    groups = await _poll(
        lambda: _json(api.get("/api/misses", headers=admin)),
        lambda groups: sum(g["size"] for g in groups) == 5,
        "five misses",
    )
    by_text = {m["text"]: (g, m) for g in groups for m in g["messages"]}
    receipts = by_text[RECEIPTS[0]][0]
    assert {m["text"] for m in receipts["messages"]} == set(RECEIPTS)
    assert receipts["suggested_intent"] == "invoice"
    assert by_text[RECEIPTS[0]][1]["source"] == "fallback"
    assert by_text[RECEIPTS[0]][1]["nearest"][0]["intent"] == "invoice"
    flag = by_text["收据可以当发票用吗"][1]
    assert (flag["source"], flag["flagged_by"], flag["suggested_intent"]) == (
        "flagged",
        "alice",
        "invoice",
    )

    ids = [m["id"] for m in receipts["messages"]]
    for body, code in [
        ({"ids": ids}, 422),
        ({"ids": ["nope"], "intent": "invoice"}, 404),
        ({"ids": ids, "intent": "no_such_intent"}, 422),
    ]:
        assert (await api.post("/api/misses/assign", json=body, headers=admin)).status_code == code
    assigned = await api.post(
        "/api/misses/assign", headers=admin, json={"ids": ids, "intent": "invoice"}
    )
    assert assigned.json() == {"added": 2, "intent": "invoice"}
    [change] = (await _intents(api, admin))["draft"]["changes"]["changed"]
    assert change["intent"] == "invoice" and set(change["examples_added"]) == set(RECEIPTS)

    stores = [by_text[text][1]["id"] for text in STORES]
    dismissed = await api.post("/api/misses/dismiss", headers=admin, json={"ids": stores})
    assert dismissed.json() == {"dismissed": 2}
    left = (await api.get("/api/misses", headers=admin)).json()
    assert [m["text"] for g in left for m in g["messages"]] == ["收据可以当发票用吗"]
    audit = (await api.get("/api/audit", headers=admin)).json()
    assert [entry["action"] for entry in audit[:2]] == ["misses.dismiss", "misses.assign"]
    assert set(audit[1]["detail"]["examples"]) == set(RECEIPTS)


async def test_unnecessary_hand_overs_teach_the_triage_through_the_draft(
    api: httpx.AsyncClient,
    redis_client: Redis,
) -> None:
    admin = await bearer(api, "root")
    log = MissLog(redis_client)
    taught = ["退款多久到账？", "退款到哪一步了"]
    for text in taught:
        await log.unnecessary(
            text, "zh", "alice", {"triage": {"complaint": 0.7}, "person_reason": "complaint 0.70"}
        )
    ids = [miss_id(text) for text in taught]
    revision = (await _intents(api, admin))["draft"]["revision"]
    for body, code in [
        ({"ids": ["nope"]}, 404),
        ({"ids": ids, "label": "happy"}, 422),
        ({"ids": ids, "revision": revision + 5}, 409),
    ]:
        refused = await api.post("/api/misses/triage", json=body, headers=admin)
        assert refused.status_code == code, refused.text
    assert len(await log.all()) == 2  # nothing taken off on a refusal

    done = await api.post(
        "/api/misses/triage", headers=admin, json={"ids": ids, "revision": revision}
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"added": 2, "label": "neutral", "revision": revision + 1}
    assert await log.all() == []
    listing = await _intents(api, admin)
    assert sorted(listing["triage_examples"]["neutral"]) == sorted(taught)
    [change] = listing["draft"]["changes"]["triage"]
    assert (change["class"], sorted(change["added"]), change["removed"]) == (
        "neutral",
        sorted(taught),
        [],
    )
    stale = await api.post(
        "/api/triage-examples/remove",
        headers=admin,
        json={"label": "neutral", "texts": taught[:1], "revision": revision},
    )
    assert stale.status_code == 409 and stale.json()["detail"]["code"] == "draft_conflict"

    evaluation = await api.post("/api/intents/evaluate", headers=admin)
    [row] = evaluation.json()["triage"]
    assert (row["class"], row["added"], row["removed"], row["examples"]) == ("neutral", 2, 0, 2)
    assert 0 <= row["to_person_now"] <= 2

    removed = await api.post(
        "/api/triage-examples/remove",
        headers=admin,
        json={"label": "neutral", "texts": taught[:1], "revision": listing["draft"]["revision"]},
    )
    assert removed.status_code == 200, removed.text
    assert removed.json()["triage_examples"] == {"neutral": taught[1:]}
    audit = (await api.get("/api/audit", headers=admin)).json()
    assert [entry["action"] for entry in audit[:2]] == ["triage.remove", "misses.triage"]


async def _json(request: Any) -> Any:
    response = await request
    assert response.status_code == 200, response.text
    return response.json()


async def test_two_admins_racing_on_the_draft_never_lose_a_change(
    api: httpx.AsyncClient,
    redis_client: Redis,
) -> None:
    await UserStore(redis_client).add("mia", "admin", "mia-password")
    root, mia = await bearer(api, "root"), await bearer(api, "mia")
    loaded = await _intents(api, root)
    revision = loaded["draft"]["revision"]
    assert (await _intents(api, mia))["draft"]["revision"] == revision
    invoice = _intent(loaded, "invoice")
    roots = {**invoice, "examples": [*invoice["examples"], "电子发票怎么开"]}
    mias = {**invoice, "examples": [*invoice["examples"], "can I get a VAT invoice"]}

    # Both save from the same revision at once: exactly one wins, the other gets 409.
    first, second = await asyncio.gather(
        api.put("/api/intents/invoice", json={**roots, "revision": revision}, headers=root),
        api.put("/api/intents/invoice", json={**mias, "revision": revision}, headers=mia),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 409], (first.text, second.text)
    winner, loser = (roots, mias) if first.status_code == 200 else (mias, roots)
    lost = second if first.status_code == 200 else first
    lost_headers = mia if first.status_code == 200 else root

    # The 409 carries the other admin's draft: the loser sees the winning change.
    detail = lost.json()["detail"]
    assert detail["code"] == "draft_conflict"
    assert detail["revision"] == revision + 1
    assert _intent(detail["current"], "invoice")["examples"] == winner["examples"]
    assert detail["current"]["draft"]["revision"] == detail["revision"]

    # Stale deletes and discards are refused too; with the new revision the loser goes on.
    assert (
        await api.delete(f"/api/intents/greet?revision={revision}", headers=lost_headers)
    ).status_code == 409
    assert (
        await api.delete(f"/api/intents-draft?revision={revision}", headers=lost_headers)
    ).status_code == 409
    both = {**winner, "examples": [*winner["examples"], loser["examples"][-1]]}
    redo = await api.put(
        "/api/intents/invoice", headers=lost_headers, json={**both, "revision": detail["revision"]}
    )
    assert redo.status_code == 200, redo.text
    final = await _intents(api, root)
    assert set(_intent(final, "invoice")["examples"]) >= {
        "电子发票怎么开",
        "can I get a VAT invoice",
    }
    assert final["draft"]["revision"] == revision + 2

    # A publish discards the draft; an editor still on the old draft cannot write into the
    # next one (revisions never go back).
    stale = final["draft"]["revision"]
    assert (
        await api.delete(f"/api/intents-draft?revision={stale}", headers=root)
    ).status_code == 200
    fresh = await _intents(api, root)
    assert fresh["draft"]["revision"] > stale and not fresh["draft"]["edited"]
    again = await api.put("/api/intents/invoice", headers=mia, json={**mias, "revision": stale})
    assert again.status_code == 409
