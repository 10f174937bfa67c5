"""The plain-language tab: a reading of the decision for injured workers, in English or Spanish."""

from __future__ import annotations

import gradio as gr

LANGUAGES = [("English", "en"), ("Español", "es")]


def build(case: gr.Dropdown, h, tab: gr.Tab) -> None:
    with gr.Row():
        lang = gr.Radio(LANGUAGES, value="en", label="Language", elem_id="plain-lang", scale=3)
        explain = gr.Button("Explain this decision", variant="primary", scale=1, elem_id="plain-go")
    text = gr.Markdown(buttons=["copy"], elem_id="plain-text", container=True, padding=True)
    with gr.Row():
        as_text = gr.DownloadButton("Download text", visible=False, size="sm", elem_id="plain-txt")
        as_page = gr.DownloadButton("Download printable page", visible=False, size="sm", elem_id="plain-html")
    gr.on([explain.click, lang.change, tab.select], h.plain, [case, lang], [text, as_text, as_page], api_name="plain")
    hidden = gr.update(visible=False)
    case.change(lambda: ("", hidden, hidden), None, [text, as_text, as_page], api_visibility="private")
