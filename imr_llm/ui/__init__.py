"""The Gradio web interface: a thin layer over `imr_llm` (`imr-llm ui`, or `ui.app.build_app`).

Importing this package gives GRADIO_ANALYTICS_ENABLED its default (False, unless the user set it) before any
of its modules imports gradio: see `imr_llm.environment`.
"""

from .. import environment

environment.for_gradio()
