"""imr_llm.present."""
