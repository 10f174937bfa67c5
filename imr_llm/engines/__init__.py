"""imr_llm.engines."""
