"""imr_llm.evaluation."""
