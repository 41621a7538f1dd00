"""``projects/global/*`` (A5, A26, A27) and the customner-only ``/storage`` containers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.conftest import assert_error
from tests.server import AUTHORING, RunningServer

GLOBAL = f"{AUTHORING}/global"


@pytest.mark.parametrize("version", ["2022-05-01", "2023-04-01", "2025-05-15-preview"])
def test_languages_are_paged(server: RunningServer, version: str) -> None:
    everything = server.client.get(f"{GLOBAL}/languages", params={"api-version": version}).json()
    assert {"languageName": "English", "languageCode": "en"} in everything["value"]
    assert everything["nextLink"] is None
    page = server.client.get(f"{GLOBAL}/languages", params={"api-version": version, "top": 5, "skip": 2,
                                                            "projectKind": "CustomEntityRecognition"}).json()
    assert page["value"] == everything["value"][2:7] and page["nextLink"] is None
    small = server.client.get(f"{GLOBAL}/languages", params={"api-version": version, "maxpagesize": 3}).json()
    assert small["value"] == everything["value"][:3]
    assert parse_qs(urlsplit(small["nextLink"]).query)["skip"] == ["3"]
    assert server.client.get(small["nextLink"]).json()["value"] == everything["value"][3:6]


def test_training_config_versions(server: RunningServer) -> None:
    body = server.client.get(f"{GLOBAL}/training-config-versions",
                             params={"api-version": "2022-05-01", "projectKind": "CustomEntityRecognition"}).json()
    versions = {v["trainingConfigVersion"]: v["modelExpirationDate"] for v in body["value"]}
    assert "2024-06-01" in versions and body["nextLink"] is None
    assert all(len(date) == 10 and date[4] == "-" for date in versions.values())


def test_global_errors(server: RunningServer) -> None:
    v = {"api-version": "2023-04-01"}
    assert_error(server.client.get(f"{GLOBAL}/deletion-jobs/nope", params=v), 404, "NotFound")
    assert_error(server.client.get(f"{GLOBAL}/languages", params={"api-version": "2024-11-01"}), 404, "404")
    assert_error(server.client.get(f"{GLOBAL}/languages", params=dict(v, top=-1)), 400, "InvalidRequest",
                 "InvalidParameterValue")
    assert_error(server.client.get(f"{GLOBAL}/languages", params=v, headers={"Ocp-Apim-Subscription-Key": ""}),
                 401, "401")


def test_storage_container_round_trip(server: RunningServer) -> None:
    text = "Caf\u00e9 \U0001F600 in Porto."
    created = server.client.put("/storage/api-storage/a.txt", content=text.encode("utf-8"))
    assert created.status_code == 201 and created.content == b""
    assert server.client.put("/storage/api-storage/a.txt", content=text.encode("utf-8")).status_code == 200
    got = server.client.get("/storage/api-storage/a.txt")
    assert got.status_code == 200 and got.text == text
    assert {"name": "a.txt"} in server.client.get("/storage/api-storage").json()["value"]
    deleted = server.client.delete("/storage/api-storage/a.txt")
    assert deleted.status_code == 204
    assert_error(server.client.get("/storage/api-storage/a.txt"), 404, "NotFound")


def test_storage_refusals(server: RunningServer) -> None:
    put = server.client.put
    assert_error(put("/storage/api-storage/empty.txt", content=b""), 400, "InvalidRequest", "InvalidDocument")
    assert_error(put("/storage/api-storage/latin1.txt", content="caf\u00e9".encode("latin-1")), 400,
                 "InvalidRequest", "InvalidDocument")
    assert_error(put("/storage/api-storage/long.txt", content=b"a" * 128_001), 400, "InvalidRequest")
    assert_error(put("/storage/Bad_Container/a.txt", content=b"x"), 400, "InvalidRequest", "InvalidParameterValue")
    no_key = server.client.get("/storage/api-storage", headers={"Ocp-Apim-Subscription-Key": "nope"})
    assert_error(no_key, 401, "401")
