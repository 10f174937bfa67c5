"""The same code against a real Chroma server started with `chroma run` on 127.0.0.1."""

from __future__ import annotations

import pytest

from imr_llm import Client, StoreError, api
from imr_llm.config import get_settings

from chroma_server import chroma_server
from conftest import GOLD_LETTER, LETTERS

pytestmark = pytest.mark.server


def test_ingest_and_ask_through_a_chroma_server(tmp_path, monkeypatch, imr_home):
    with chroma_server(tmp_path / "chroma-data") as url:
        monkeypatch.setenv("IMR_CHROMA_URL", url)  # the default client of these settings is one for the server
        results = api.ingest([GOLD_LETTER, LETTERS / "t02_c_facet_pt.txt"])
        assert [r.status for r in results] == ["added", "added"]
        assert not (imr_home / "chroma").exists()  # nothing went to the local folder
        case = results[0].case_id
        answer = api.ask(case, "Why was PT overturned?")
        assert "leg" in answer.text and {c.case_id for c in answer.citations} == {case}
        corpus = api.ask(None, "facet injections")
        assert corpus.citations
        # a new client sees the same store
        assert {c["case_id"] for c in Client(get_settings()).cases()} == {r.case_id for r in results}
        assert [r.status for r in api.ingest([GOLD_LETTER])] == ["unchanged"]
    # With the server stopped, a clear error rather than a hang or a silent local store.
    with pytest.raises(StoreError) as err:
        Client(get_settings()).cases()
    assert url in str(err.value)
