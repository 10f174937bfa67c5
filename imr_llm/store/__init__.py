"""imr_llm.store."""
