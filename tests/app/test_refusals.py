"""The hub's refusals: one table of reasons, each worded in both languages with exactly its
parameters, and carried by a real hub's replies (not only by the pure functions)."""

from __future__ import annotations

import string

import pytest

from app import i18n
from app.client.session import ConsoleSession
from app.wall import layout as L
from app.workflow import refusals
from support import SessionProbe, ThreadHub, wait_until


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_reason_has_a_catalog_entry_with_exactly_its_parameters(lang):
    words = i18n.catalog(lang)
    wrong = {
        reason: (sorted(params), sorted(_placeholders(words.get(f"refusal.{reason}", "?"))))
        for reason, params in refusals.REASONS.items()
        if f"refusal.{reason}" not in words or _placeholders(words[f"refusal.{reason}"]) != set(params)
    }
    assert wrong == {}


def test_every_refusal_reads_differently_in_vietnamese():
    vi, en = i18n.catalog("vi"), i18n.catalog("en")
    assert [r for r in refusals.REASONS if vi[f"refusal.{r}"] == en[f"refusal.{r}"]] == []


def test_worded_parameters_have_their_catalog_words():
    # States, kinds and roles are worded through their own keys, so those must exist too.
    words = i18n.catalog("vi")
    from app import domain
    from app.workflow import states

    needed = {f"state.{s}" for s in domain.INCIDENT_STATES} | {f"role.{r}" for r in states.ROLES}
    needed |= {f"kind.{k}" for k in (*states.COMMAND_KINDS, "handover", "handover_ack")}
    assert needed - set(words) == set()


def test_params_refuses_names_the_table_does_not_list():
    assert refusals.params("wrong_state", kind="ack", state="new", allowed="x") == (
        ("kind", "ack"),
        ("state", "new"),
        ("allowed", "x"),
    )
    with pytest.raises(KeyError):
        refusals.params("wrong_state", kind="ack", state="new")
    with pytest.raises(KeyError):
        refusals.params("note_needs_text", text="")


def test_a_real_hub_answers_refusals_with_their_reasons(hub_base_port, tmp_path):
    with ThreadHub(hub_base_port, tmp_path / "hub.db") as hub:
        probe = SessionProbe()
        session = ConsoleSession(hub.ports, tmp_path / "c.db", probe, operator="lan", client_name="c")
        session.start()
        try:
            wait_until(lambda: probe.state == "live")
            commands = {
                session.acknowledge("inc-404").cmd_id: ("not_found", "incident_not_found", {"id": "inc-404"}),
                session.acknowledge_handover("h-404", "chi").cmd_id: (
                    "not_found",
                    "handover_not_found",
                    {"id": "h-404"},
                ),
                session.push_to_wall("wall-1", L.preset_layout("1x1")).cmd_id: (
                    "forbidden",
                    "wall_needs_supervisor",
                    {},
                ),
            }
            wait_until(lambda: {r.cmd_id for r in probe.replies} >= set(commands))
            got = {r.cmd_id: (r.code, r.reason, r.params) for r in probe.replies if r.cmd_id in commands}
            assert got == commands
        finally:
            session.close()
