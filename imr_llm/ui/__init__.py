"""The Gradio web interface: a thin layer over `imr_llm` (`imr-llm ui`, or `ui.app.build_app`)."""
