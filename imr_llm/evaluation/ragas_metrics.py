"""ragas scores of the answers and the contexts retrieved for them (ragas 0.4.3, imported lazily).

With no LLM configured only ragas' non-LLM metrics run, and none of them reaches the
network (ragas' usage telemetry is switched off before ragas is imported, unless the user set
RAGAS_DO_NOT_TRACK: see `imr_llm.environment`):

* `ragas_context_precision`  NonLLMContextPrecisionWithReference: are the top passages retrieval
  ranks for a question (the same `retrieve_in` call and k as `api.ask`) the letter's passages
  that hold the gold evidence? Passages are compared by ragas' Levenshtein string similarity.
* `ragas_context_recall`     NonLLMContextRecall: are the passages holding the evidence among them?
* `ragas_evidence_similarity` NonLLMStringSimilarity between the gold evidence and the closest
  quote the answer cites (0 when it cites nothing).

The reference contexts are the letter's chunks whose text holds the gold evidence
(whitespace-insensitive); when the evidence straddles two chunks, the evidence itself.

With a model (`--model` / IMR_LLM_MODEL), also, through that litellm model and the project's
LLM gateway (so judge calls are cached, logged and bounded like the product's own):

* `ragas_faithfulness`       Faithfulness of the answer to the passages it cites and retrieval ranked;
* `ragas_answer_relevancy`   AnswerRelevancy (ResponseRelevancy), with the project's embedder.

Left out offline: every LLM metric (faithfulness, answer relevancy, LLM context
precision/recall) needs a model; ROUGE needs the `rouge_score` package, not installed.
"""

from __future__ import annotations

import asyncio
import math
import warnings
from typing import Any

from .. import api, environment
from ..config import Settings
from ..llm import gateway
from .runs import LetterRun

__all__ = ["LLM_METRICS", "OFFLINE_METRICS", "score_runs"]

OFFLINE_METRICS = ("ragas_context_precision", "ragas_context_recall", "ragas_evidence_similarity")
LLM_METRICS = ("ragas_faithfulness", "ragas_answer_relevancy")
SKIPPED_OFFLINE = {
    "ragas_faithfulness": "needs an LLM: set --model or IMR_LLM_MODEL",
    "ragas_answer_relevancy": "needs an LLM (and embeddings): set --model or IMR_LLM_MODEL",
    "ragas_llm_context_precision_recall": "not run: the non-LLM variants against the passages holding the gold "
                                          "evidence are reported instead (the LLM ones need a model)",
    "ragas_rouge": "ragas' RougeScore needs the rouge_score package, which is not installed",
}


def import_ragas() -> None:
    """Import ragas with its telemetry off (RAGAS_DO_NOT_TRACK, a default the user may override), working
    around ragas 0.4.3's import of a module that langchain-community no longer ships: see
    `imr_llm.environment.ragas_import_stand_in`."""
    environment.for_ragas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # langchain-community's deprecation notice, not ours to act on
        with environment.ragas_import_stand_in():
            import ragas._analytics as analytics
            import ragas.llms.base  # noqa: F401 - the module that needs the stand-in
            import ragas.metrics  # noqa: F401

    analytics.do_not_track.cache_clear()


def _mean(values: list[float]) -> float | None:
    kept = [v for v in values if v is not None and not math.isnan(v)]
    return round(sum(kept) / len(kept), 4) if kept else None


async def _offline_scores(sample: dict) -> dict[str, float]:
    from langchain_core.callbacks import CallbackManager
    from ragas.dataset_schema import SingleTurnSample
    from ragas.metrics._context_precision import NonLLMContextPrecisionWithReference
    from ragas.metrics._context_recall import NonLLMContextRecall
    from ragas.metrics.collections import NonLLMStringSimilarity

    if not sample["retrieved"]:  # the product failed on this question: nothing retrieved
        return {name: 0.0 for name in OFFLINE_METRICS}
    row = SingleTurnSample(user_input=sample["question"], response=sample["answer"],
                           retrieved_contexts=sample["retrieved"], reference_contexts=sample["reference"])
    quiet = CallbackManager(handlers=[])  # no callback configuration from the environment (no tracers)
    precision = await NonLLMContextPrecisionWithReference().single_turn_ascore(row, quiet)
    recall = await NonLLMContextRecall().single_turn_ascore(row, quiet)
    similarity = NonLLMStringSimilarity()
    best = 0.0
    for quote in sample["quotes"]:
        result = await similarity.ascore(reference=sample["evidence"], response=quote)
        best = max(best, float(result.value))
    return {"ragas_context_precision": float(precision), "ragas_context_recall": float(recall),
            "ragas_evidence_similarity": best}


class _ProjectEmbeddings:
    """The project's embedder (bundled MiniLM by default) as a ragas embedding."""

    def __new__(cls, embedder):
        from ragas.embeddings.base import BaseRagasEmbedding

        class Embeddings(BaseRagasEmbedding):
            def embed_text(self, text: str, **kwargs: Any) -> list[float]:
                return embedder.embed([text])[0]

            async def aembed_text(self, text: str, **kwargs: Any) -> list[float]:
                return embedder.embed([text])[0]

        return Embeddings()


def gateway_llm(settings: Settings):
    """A ragas LLM whose every call goes through the project's gateway (`imr_llm.llm.gateway.complete`):
    the configured litellm model, its timeouts and retries, the response cache and the call log."""
    from ragas.llms.base import InstructorBaseRagasLLM

    class GatewayLLM(InstructorBaseRagasLLM):
        def generate(self, prompt: str, response_model):
            return gateway.complete([{"role": "user", "content": prompt}], response_model, settings=settings,
                            prompt_id=f"ragas/{response_model.__name__}").value

        async def agenerate(self, prompt: str, response_model):
            return await asyncio.to_thread(self.generate, prompt, response_model)

    return GatewayLLM()


async def _llm_scores(samples: list[dict], llm, embeddings, concurrency: int = 4) -> tuple[list[dict], list[str]]:
    from ragas.metrics.collections import AnswerRelevancy, Faithfulness

    faithfulness = Faithfulness(llm=llm)
    relevancy = AnswerRelevancy(llm=llm, embeddings=embeddings)
    gate = asyncio.Semaphore(concurrency)
    errors: list[str] = []

    async def one(sample: dict) -> dict:
        if not sample["answer"]:
            return {"ragas_faithfulness": 0.0, "ragas_answer_relevancy": 0.0}
        out: dict[str, float] = {}
        contexts = list(dict.fromkeys(sample["cited"] + sample["retrieved"])) or [""]
        async with gate:
            for name, call in (("ragas_faithfulness", lambda: faithfulness.ascore(
                                    user_input=sample["question"], response=sample["answer"], retrieved_contexts=contexts)),
                               ("ragas_answer_relevancy", lambda: relevancy.ascore(
                                    user_input=sample["question"], response=sample["answer"]))):
                try:
                    out[name] = float((await call()).value)
                except Exception as exc:  # noqa: BLE001 - one failed judgement must not sink the run
                    errors.append(f"{name}: {type(exc).__name__}: {exc}")
                    out[name] = float("nan")
        return out

    return list(await asyncio.gather(*(one(s) for s in samples))), errors


def _samples(runs: list[LetterRun]) -> list[dict]:
    samples = []
    for run in runs:
        for q in run.questions:
            if q.gold.get("unanswerable"):
                continue  # no evidence, no reference contexts: scored by abstention_accuracy instead
            evidence = q.gold.get("evidence") or ""
            samples.append({
                "question": q.gold["question"],
                "answer": q.answer.text if q.answer else "",
                "retrieved": q.retrieved,
                "cited": q.cited,
                "reference": q.evidence_passages or [evidence],
                "evidence": evidence,
                "quotes": [c.quote for c in q.answer.citations] if q.answer else [],
            })
    return samples


def score_runs(runs: list[LetterRun], settings: Settings, per_letter: list[dict] | None = None,
               llm=None, embeddings=None) -> dict:
    """Top-level `ragas_*` means (and per-question values into `per_letter`), plus what was left out and why."""
    try:
        import_ragas()
    except ImportError as exc:
        return {"ragas_skipped": {"ragas": f"ragas is not installed ({exc}): pip install 'imr-llm[evals]'"}}
    samples = _samples(runs)

    async def offline() -> list[dict]:
        return list(await asyncio.gather(*(_offline_scores(s) for s in samples)))

    values = asyncio.run(offline())
    skipped = dict(SKIPPED_OFFLINE)
    errors: list[str] = []
    if settings.llm_model or llm is not None:
        if embeddings is None:
            embeddings = _ProjectEmbeddings(api.open_store(settings).embedder)
        llm_values, errors = asyncio.run(_llm_scores(samples, llm or gateway_llm(settings), embeddings))
        for value, extra in zip(values, llm_values):
            value.update(extra)
        for name in LLM_METRICS:
            skipped.pop(name, None)
    names = OFFLINE_METRICS + (LLM_METRICS if len(values) and LLM_METRICS[0] in values[0] else ())
    report: dict[str, Any] = {name: _mean([v.get(name) for v in values]) for name in names}
    report["ragas_skipped"] = skipped
    if errors:
        report["ragas_errors"] = errors[:20]
    if per_letter is not None:
        flat = iter(values)
        for letter in per_letter:
            for question in letter["questions"]:
                if question.get("unanswerable"):
                    continue
                question["ragas"] = {k: None if math.isnan(v) else round(v, 4) for k, v in next(flat).items()}
    return report
