"""imr_llm.plain."""
