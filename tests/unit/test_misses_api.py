"""The misses inbox's endpoints (web/misses_api.py): for a signed-in lead only (an agent gets 403, anyone
signed out 401); labels kept with who and when, in the audit log with the lead's role, undone; the export."""

import json

import pytest

from broker_faq import yaml_io
from tests.unit.misses_store import write_misses
from tests.unit.test_web_server import PASSWORD, call, cookie_of, serve, sign_in, store
from web.accounts import AccountStore
from web.audit import AuditLog

LEAD = "unit-lead"


@pytest.fixture
def server(tmp_path):
    write_misses(tmp_path / "t.db")
    AccountStore(tmp_path / "agents.json").add(LEAD, PASSWORD, role="lead")
    served = serve(store(tmp_path / "t.db"), tmp_path, REVIEWED_NLU=str(tmp_path / "reviewed.yml"))
    yield served
    served.stop()


@pytest.fixture
def lead(server):
    return cookie_of(sign_in(server.url, LEAD))


@pytest.fixture
def agent(server):
    return cookie_of(sign_in(server.url))


def post(server, path, cookie, value=None):
    headers = {"Content-Type": "application/json", "Origin": server.url}
    status, _, body = call(f"{server.url}{path}", "POST", cookie, json.dumps(value or {}).encode(), headers)
    return status, json.loads(body)


def inbox(server, cookie):
    status, _, body = call(f"{server.url}/api/misses", cookie=cookie)
    return status, json.loads(body)


def test_a_lead_is_told_their_role_and_sees_the_misses_grouped_with_the_labels_to_choose(server, lead):
    assert json.loads(call(f"{server.url}/api/session", cookie=lead)[2])["role"] == "lead"
    status, body = inbox(server, lead)
    assert status == 200 and len(body["groups"]) == 4
    assert [m["text"] for m in body["groups"][2]["messages"]] == [
        "fax number for EBS please",
        "what is the fax for EBS",
    ]
    choices = [c["label"] for c in body["labels"]]
    assert {"update_address", "reinstatement", "out_of_scope", "new_topic"} <= set(choices)


def test_an_agent_gets_403_from_every_lead_endpoint_and_no_one_signed_out_gets_in(server, agent):
    assert json.loads(call(f"{server.url}/api/session", cookie=agent)[2])["role"] == "agent"
    assert inbox(server, agent)[0] == 403
    assert post(server, "/api/misses/labels", agent, {"message": "conv-one/1", "label": "out_of_scope"})[0] == 403
    assert post(server, f"/api/misses/labels/{'0' * 32}/undo", agent)[0] == 403
    assert post(server, "/api/misses/export", agent)[0] == 403
    assert inbox(server, None)[0] == 401 and inbox(server, "kp_console=forged")[0] == 401
    assert call(f"{server.url}/api/directory?q=ebs", cookie=agent)[0] == 200  # the console as before


def test_a_lead_labels_a_group_with_who_and_when_in_the_audit_log_and_undoes_it(server, lead, tmp_path):
    _, body = inbox(server, lead)
    fax = body["groups"][2]["messages"]
    status, labelled = post(server, "/api/misses/labels", lead, {"group": fax[1]["id"], "label": "update_address"})
    assert status == 200 and labelled["by"] == LEAD and labelled["messages"] == sorted(m["id"] for m in fax)
    shown = inbox(server, lead)[1]["groups"][2]["messages"]
    assert [(m["label"]["label"], m["label"]["by"]) for m in shown] == [("update_address", LEAD)] * 2
    assert post(server, f"/api/misses/labels/{labelled['batch']}/undo", lead)[0] == 200
    assert [m["label"] for m in inbox(server, lead)[1]["groups"][2]["messages"]] == [None, None]
    assert post(server, f"/api/misses/labels/{labelled['batch']}/undo", lead)[0] == 404  # undone once
    entries = [e for e in AuditLog(tmp_path / "console-audit.log").entries() if "label" in e["action"]]
    assert [(e["agent"], e["role"], e["action"], e.get("label"), e["messages"]) for e in entries] == [
        (LEAD, "lead", "label", "update_address", labelled["messages"]),
        (LEAD, "lead", "undo label", None, labelled["messages"]),
    ]
    assert "fax" not in (tmp_path / "console-audit.log").read_text()  # never a message's text


def test_a_label_names_one_miss_and_a_known_label_from_the_consoles_own_page(server, lead):
    one = inbox(server, lead)[1]["groups"][2]["messages"][0]
    status, labelled = post(server, "/api/misses/labels", lead, {"message": one["id"], "label": "new_topic"})
    assert status == 200 and labelled["messages"] == [one["id"]]
    assert post(server, "/api/misses/labels", lead, {"message": one["id"], "label": "no_such_topic"})[0] == 400
    assert post(server, "/api/misses/labels", lead, {"message": "conv-one/9999", "label": "new_topic"})[0] == 404
    assert post(server, "/api/misses/labels", lead, {"label": "new_topic"})[0] == 400
    body = json.dumps({"message": one["id"], "label": "new_topic"}).encode()
    elsewhere = {"Content-Type": "application/json", "Origin": "http://evil.example"}
    assert call(f"{server.url}/api/misses/labels", "POST", lead, body, elsewhere)[0] == 403


def test_a_lead_exports_the_labelled_misses_as_nlu_examples(server, lead, tmp_path):
    groups = inbox(server, lead)[1]["groups"]
    post(server, "/api/misses/labels", lead, {"group": groups[2]["messages"][0]["id"], "label": "update_address"})
    post(server, "/api/misses/labels", lead, {"message": groups[3]["messages"][0]["id"], "label": "out_of_scope"})
    status, done = post(server, "/api/misses/export", lead)
    assert status == 200 and done["examples"] == 3 and done["file"] == "reviewed.yml"
    written = yaml_io.load((tmp_path / "reviewed.yml").read_text())["nlu"]
    assert {b["intent"]: b["examples"] for b in written} == {
        "out_of_scope": "- who won the Lakers game\n",
        "update_address": "- fax number for EBS please\n- what is the fax for EBS\n",
    }
    actions = [e["action"] for e in AuditLog(tmp_path / "console-audit.log").entries()]
    assert actions.count("export reviewed") == 1
