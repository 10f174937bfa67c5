import imr_llm
from imr_llm import api

# The public API, exactly: the module functions, the client, the settings, the models and the errors.
PUBLIC = [
    "Answer", "Chunk", "Citation", "Client", "ConfigError", "DecisionSummary", "GroundingError", "Grounded",
    "ImrError", "IngestResult", "ItemDecision", "LLMError", "Letter", "LoadError", "NotALetterError",
    "NotFoundError", "OpenLetter", "Passage", "Settings", "Span", "StoreError", "ask", "get_settings", "ingest",
    "summarize",
]


def test_exported_members_are_exactly_the_public_api():
    assert sorted(imr_llm.__all__) == sorted(PUBLIC)
    # nothing else at the top level but the submodules (the implementation) and dunders
    public = sorted(name for name in dir(imr_llm) if not name.startswith("_")
                    and not isinstance(getattr(imr_llm, name), type(imr_llm)))
    assert public == sorted(PUBLIC)


def test_the_module_functions_are_the_default_clients():
    for name in ("summarize", "ask", "ingest"):
        assert getattr(imr_llm, name) is getattr(api, name)
        assert getattr(imr_llm.Client, name).__doc__


def test_every_error_derives_from_the_one_root():
    for name in imr_llm.__all__:
        obj = getattr(imr_llm, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, imr_llm.ImrError), name
