"""The Gradio app: layout and event wiring only. Handlers live in `ui.handlers`, formatting in `ui.views`.

    from .app import build_app, launch
    launch(build_app(), host="127.0.0.1", port=7860)

or `imr-llm ui`. Never shares a public link unless asked, and sends no analytics.
"""

from __future__ import annotations

import gradio as gr  # GRADIO_ANALYTICS_ENABLED has its default already: see imr_llm.ui (the package)

from ..config import Settings, get_settings
from ..present.markup import markdown
from ..present.render import STYLE
from ..store.load import MAX_LETTER_BYTES
from . import plain_tab, views
from .handlers import Handlers, engine_label

__all__ = ["CSS", "THEME", "build_app", "launch"]

THEME = gr.themes.Default(primary_hue="blue", neutral_hue="slate")
CSS = STYLE + """
#engine {text-align:right}
#engine p {margin:0}
.imr-letter {max-height:60vh; overflow-y:auto; position:relative; padding:.75rem 1rem;
  border:1px solid var(--border-color-primary); border-radius:8px; background:var(--background-fill-secondary)}
.imr-letter mark.cite {background:#fff3bf}
.imr-letter mark.focus {background:#ffc078; outline:2px solid #e8590c; border-radius:2px}
.badge {display:inline-block; padding:1px 8px; border-radius:999px; font-weight:700; font-family:system-ui,sans-serif;
  font-size:.9em}
.src {font-size:.85em; color:var(--body-text-color-subdued)}
.badge.upheld {background:#ffe3e3; color:#a61e1e}
.badge.overturned {background:#d3f9d8; color:#1b6b2a}
.warn {color:#a61e1e}
.ocr-note {font-weight:700; background:#fff3bf; padding:0 6px; border-radius:4px}
"""
# Scroll the letter so that the span in focus is in view, every time the letter changes.
SCROLL_JS = """
const scroll = () => {
  const box = element.querySelector('.imr-letter');
  const mark = element.querySelector('mark.focus') || element.querySelector('mark');
  if (box && mark) box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
};
watch('value', scroll);
scroll();
"""
INTRO = ("### IMR determination letters\nPick a case (or *All cases*), then ask a question, read each decision "
         "with its source, or get a plain-language explanation. Answers quote the letter; select a source to see "
         "it highlighted.")


def build_app(settings: Settings | None = None) -> gr.Blocks:
    settings = settings or get_settings()
    h = Handlers(settings)
    with gr.Blocks(title="IMR letters", analytics_enabled=False) as demo:
        histories, last_answer, summary_state = gr.State({}), gr.State(None), gr.State(None)
        with gr.Row(equal_height=True):
            gr.Markdown(INTRO)
            gr.Markdown(f"Engine: **{markdown(engine_label(settings))}**", elem_id="engine")
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                search = gr.Textbox(label="Search cases", placeholder="case number or treatment, e.g. CM14 or therapy",
                                    elem_id="case-search")
                decision = gr.Radio(["any", "upheld", "overturned", "partial"], value="any", label="Decision")
                case = gr.Dropdown(views.case_choices(h.cases()), value=views.ALL_CASES, label="Case",
                                   allow_custom_value=True, elem_id="case-picker")
                count_note = gr.Markdown(elem_id="case-count")
                upload_file = gr.File(label="Add a letter (.txt or .pdf, up to 10 MB)", file_types=[".txt", ".pdf"],
                                      elem_id="upload", height=150)
                upload_status = gr.Markdown(elem_id="upload-status")
            with gr.Column(scale=3):
                with gr.Tabs():
                    with gr.Tab("Chat"):
                        chat_case = gr.Markdown(elem_id="chat-case")
                        chatbot = gr.Chatbot(label="Conversation", height=420, elem_id="chat", feedback_options=None,
                                             placeholder="Ask about the case, e.g. *Why was PT overturned?*")
                        with gr.Row():
                            question = gr.Textbox(show_label=False, placeholder="Ask a question about this case",
                                                  scale=5, elem_id="question")
                            ask_btn = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                        citations = gr.Radio([], label="Sources of the last answer: select one to see it in the letter",
                                             elem_id="citations")
                        letter = gr.HTML(elem_id="letter", js_on_load=SCROLL_JS)
                    with gr.Tab("Decisions"):
                        fields = gr.Markdown(elem_id="fields")
                        items = gr.Dataframe(views.items_frame_empty(), datatype=["number", "str", "html", "str", "str"],
                                             interactive=False, wrap=True, elem_id="items",
                                             column_widths=["4%", "26%", "20%", "20%", "30%"])
                        gr.Markdown("Select a row to see that item in the letter.")
                        item_letter = gr.HTML(elem_id="item-letter", js_on_load=SCROLL_JS)
                    with gr.Tab("Plain language") as plain:
                        plain_tab.build(case, h, plain)
                    with gr.Tab("Analytics"):
                        stats_md = gr.Markdown()
                        with gr.Row():
                            by_decision = gr.BarPlot(x="decision", y="items", color="decision", title="Items by decision",
                                                     color_map=views.DECISION_COLORS, y_lim=[0, None], height=260)
                            by_guideline = gr.BarPlot(x="guideline", y="items", title="Items by guideline family",
                                                      y_lim=[0, None], sort="-y", height=260)
                        by_category = gr.BarPlot(x="category", y="items", color="decision", x_label_angle=-35,
                                                 title="Items by treatment category", color_map=views.DECISION_COLORS,
                                                 y_lim=[0, None], sort="-y", height=340)
                        rates = gr.BarPlot(x="category", y="overturn rate %", x_label_angle=-35, y_lim=[0, 100],
                                           title="Overturn rate by treatment category (n = items)", height=340)
                        rate_table = gr.Dataframe(interactive=False, label="Overturn rate by treatment (with counts)")
                        refresh = gr.Button("Refresh", size="sm")

        pick = dict(fn=h.search_cases, inputs=[search, decision], outputs=[case, count_note])
        search.input(**pick, api_name="search_cases", trigger_mode="always_last")
        decision.change(**pick, api_visibility="private")
        case.change(h.switch_case, [case, histories], [chatbot, citations, letter, last_answer, chat_case],
                    api_visibility="private").then(h.summarize, [case], [fields, items, item_letter, summary_state],
                                                   api_name="summarize")
        gr.on([ask_btn.click, question.submit], h.ask, [case, question, histories],
              [chatbot, histories, citations, letter, last_answer, question], api_name="ask", concurrency_limit=4)
        citations.input(h.show_citation, [citations, last_answer], [letter], api_visibility="private")
        items.select(h.show_item, [summary_state], [item_letter], api_visibility="private")
        analytics = dict(fn=h.analytics, outputs=[stats_md, by_decision, by_category, by_guideline, rates, rate_table])
        refresh.click(**analytics, api_name="analytics")
        upload_file.upload(h.upload, [upload_file], [upload_status, case, search], api_name="upload",
                           concurrency_limit=1).then(**analytics, api_visibility="private")
        demo.load(h.switch_case, [case, histories], [chatbot, citations, letter, last_answer, chat_case],
                  api_visibility="private")
        demo.load(**pick, api_visibility="private").then(**analytics, api_visibility="private")
    return demo


def launch(demo: gr.Blocks, *, host: str = "127.0.0.1", port: int | None = 7860, share: bool = False,
           auth: tuple[str, str] | None = None, **kwargs):
    """Serve the app: no public link unless `share`, uploads capped at the letter size limit."""
    return demo.queue(default_concurrency_limit=4).launch(
        server_name=host, server_port=port, share=share, auth=auth, max_file_size=MAX_LETTER_BYTES,
        theme=THEME, css=CSS, ssr_mode=False, footer_links=["gradio"], **kwargs)
