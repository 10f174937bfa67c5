import imr_llm


def test_exported_members_are_exactly_the_public_api():
    public = sorted(name for name in dir(imr_llm) if not name.startswith("_") and name not in {
        "api", "config", "errors", "load", "models", "parse", "chunk", "embed", "index", "retrieve", "answer",
        "render", "annotations"} and not isinstance(getattr(imr_llm, name), type(imr_llm)))
    assert sorted(imr_llm.__all__) == public


def test_every_error_derives_from_the_one_root():
    for name in imr_llm.__all__:
        obj = getattr(imr_llm, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, imr_llm.ImrError), name
