"""The same code against a real Chroma server started with `chroma run` on 127.0.0.1."""

from __future__ import annotations

import pytest

from imr_llm import StoreError, api
from imr_llm.config import get_settings

from chroma_server import chroma_server
from conftest import GOLD_LETTER, LETTERS

pytestmark = pytest.mark.server


def test_ingest_and_ask_through_a_chroma_server(tmp_path, monkeypatch, imr_home):
    with chroma_server(tmp_path / "chroma-data") as url:
        monkeypatch.setenv("IMR_CHROMA_URL", url)
        api._stores.clear()
        results = api.ingest([GOLD_LETTER, LETTERS / "t02_c_facet_pt.txt"])
        assert [r.status for r in results] == ["added", "added"]
        assert not (imr_home / "chroma").exists()  # nothing went to the local folder
        case = results[0].case_id
        answer = api.ask(case, "Why was PT overturned?")
        assert "leg" in answer.text and {c.case_id for c in answer.citations} == {case}
        corpus = api.ask(None, "facet injections")
        assert corpus.citations
        api._stores.clear()  # a new client sees the same store
        assert {c["case_id"] for c in api.cases(get_settings())} == {r.case_id for r in results}
        assert [r.status for r in api.ingest([GOLD_LETTER])] == ["unchanged"]
    # With the server stopped, a clear error rather than a hang or a silent local store.
    api._stores.clear()
    with pytest.raises(StoreError) as err:
        api.cases()
    assert url in str(err.value)
