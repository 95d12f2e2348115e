"""SOP data files: the shipped checklists, the event/source mapping and bad-file errors."""

from __future__ import annotations

import json
import logging

import pytest

from app import domain
from app.workflow import sop as soplib
from app.workflow.sop import SopError, load_library, parse_sop

REQUIRED = {"police", "fire", "medical", "flood", "traffic_accident", "air_quality", "citizen_report"}


@pytest.fixture(scope="module")
def library():
    lib, errors = load_library(strict=True)
    assert errors == []
    return lib


def test_every_required_incident_type_ships_a_bilingual_checklist(library):
    assert REQUIRED <= set(library.ids())
    for sop_id in library.ids():
        sop = library.get(sop_id)
        assert sop.title.vi and sop.title.en
        assert sop.mandatory_ids, f"{sop_id} has no mandatory step"
        for step in sop.steps:
            assert step.text("vi") != step.text("en")
    # Vietnamese text keeps its diacritics.
    assert "Xác" in library.get("fire").steps[0].vi


@pytest.mark.parametrize(
    ("event", "source", "expected"),
    [
        ("crime", "113", "police"),
        ("anything", "113", "police"),
        ("fire", "camera", "fire"),
        ("anything", "114", "fire"),
        ("anything", "115", "medical"),
        ("flood", "sensor", "flood"),
        ("flood", "114", "flood"),  # the event decides before the channel
        ("Traffic_Accident ", "camera", "traffic_accident"),
        ("air_quality", "sensor", "air_quality"),
        ("pothole", "1022", "citizen_report"),
        ("pothole", "camera", "general"),  # nothing matches: the default
        # What the demo simulator sends.
        ("theft", "113", "police"),
        ("public_disorder", "113", "police"),
        ("structure_fire", "114", "fire"),
        ("vehicle_fire", "114", "fire"),
        ("fire_alarm", "sensor", "fire"),
        ("injury_traffic", "115", "medical"),
        ("medical_emergency", "115", "medical"),
        ("waste", "1022", "citizen_report"),
        ("accident", "camera", "traffic_accident"),
        ("congestion", "camera", "general"),
    ],
)
def test_mapping_from_event_and_source(library, event, source, expected):
    assert library.sop_id_for(event, source) == expected


def test_incident_keeps_the_sop_it_started_with(library):
    inc = domain.Incident(
        id="i",
        category="Fire",
        event="fire",
        urgency="Immediate",
        severity="Severe",
        certainty="Observed",
        area=domain.PointArea(0, 0),
        source="114",
        title="t",
    )
    assert library.for_incident(inc).id == "fire"
    assert library.for_incident(domain.incident_with(inc, sop_id="flood")).id == "flood"
    assert library.for_incident(domain.incident_with(inc, sop_id="gone")).id == "fire"


def test_missing_lists_mandatory_steps_in_checklist_order(library):
    fire = library.get("fire")
    assert fire.missing(()) == fire.mandatory_ids
    assert fire.missing(fire.mandatory_ids) == ()
    assert "notify_power" not in fire.mandatory_ids


GOOD = {
    "id": "x",
    "version": 1,
    "title": {"vi": "Thử", "en": "Test"},
    "steps": [{"id": "a", "vi": "Bước", "en": "Step"}],
}


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda d: d.pop("steps"), "steps"),
        (lambda d: d.update(steps=[]), "no steps"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d.update(version="one"), "version"),
        (lambda d: d["title"].update(en=" "), "both 'vi' and 'en'"),
        (lambda d: d["steps"].append({"id": "a", "vi": "b", "en": "c"}), "appears twice"),
        (lambda d: d["steps"].append({"id": "b", "vi": "b", "en": ""}), "'b' needs both"),
        (lambda d: d["steps"].append({"id": "", "vi": "b", "en": "c"}), "empty id"),
        (lambda d: d.update(sources=["911"]), "unknown sources ['911']"),
        (lambda d: d.update(agencies=["army"]), "unknown agencies ['army']"),
    ],
)
def test_bad_documents_are_refused_with_the_file_and_the_reason(mutate, why):
    doc = json.loads(json.dumps(GOOD))
    mutate(doc)
    with pytest.raises(SopError) as err:
        parse_sop(json.dumps(doc).encode(), "broken.json")
    assert str(err.value).startswith("broken.json: ") and why in str(err.value)


def test_not_json_at_all():
    with pytest.raises(SopError, match="bad.json: "):
        parse_sop(b"{not json", "bad.json")


def write(directory, name, doc):
    (directory / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_bad_file_is_skipped_and_logged_the_others_still_load(tmp_path, caplog):
    write(tmp_path, "good.json", GOOD)
    (tmp_path / "bad.json").write_text("[1, 2", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger=soplib.__name__):
        lib, errors = load_library(tmp_path)
    assert lib.ids() == ("x",)
    assert len(errors) == 1 and errors[0].startswith("bad.json: ")
    assert "bad.json" in caplog.text


def test_strict_loading_raises_on_the_first_bad_file(tmp_path):
    write(tmp_path, "good.json", GOOD)
    (tmp_path / "bad.json").write_text("{}", encoding="utf-8")
    with pytest.raises(SopError, match="bad.json"):
        load_library(tmp_path, strict=True)


def test_clashing_mappings_reject_the_later_file(tmp_path):
    write(tmp_path, "a.json", {**GOOD, "id": "a", "events": ["fire"]})
    write(tmp_path, "b.json", {**GOOD, "id": "b", "events": ["FIRE"]})
    write(tmp_path, "c.json", {**GOOD, "id": "a"})
    lib, errors = load_library(tmp_path)
    assert lib.ids() == ("a",)
    assert errors[0].startswith("b.json: ") and "'FIRE' maps to both 'a' and 'b'" in errors[0]
    assert errors[1].startswith("c.json: ") and "defined twice" in errors[1]


def test_empty_folder_is_an_error_not_a_silent_empty_library(tmp_path):
    lib, errors = load_library(tmp_path)
    assert len(lib) == 0 and "no usable SOP" in errors[0]
    assert lib.sop_id_for("fire", "114") == ""
    with pytest.raises(SopError):
        load_library(tmp_path, strict=True)
