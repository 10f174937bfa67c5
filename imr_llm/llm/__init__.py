"""imr_llm.llm."""
