"""The Gradio Blocks of the web chat. It receives a ``ChatBackend`` and never builds the engine.

Layout: the chat (streamed answers with ``[n]`` links) and, beside it, the Sources panel of the
latest answer; under the chat the question box, a clear button, examples and a settings accordion.
Messages are HTML made by ``assistant.web.render`` (escaped), so the Chatbot renders no Markdown.
The same answers are exposed headless as the ``/ask`` API endpoint for ``gradio_client``.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Iterator
from typing import Any

import gradio as gr

from assistant.errors import AssistantError, QuestionError
from assistant.types import Answer
from assistant.web.backend import MAX_TOP_K, ChatBackend, CorpusInfo
from assistant.web.documents_panel import mount_documents_panel
from assistant.web.feedback import FeedbackLog, rating_of
from assistant.text import printable
from assistant.web.render import (
    EMPTY_PANEL,
    render_answer,
    render_notice,
    render_question,
    render_sources,
)

log = logging.getLogger(__name__)

STREAM_STEP_SECONDS = 0.03
SHOWN_QUESTION_CHARS = 600
PENDING = '<span class="answer pending">Reading the article…</span>'
PENDING_PANEL = '<div class="sources-panel"><p class="sources-hint">Looking for the passages that answer this…</p></div>'
ALL_DOCUMENTS = "All articles"
INTERNAL_ERROR = "Something went wrong while answering this question. Please try again; the details are in the server log."

CSS = """
#sources-col { max-height: 78vh; overflow-y: auto; }
.sources-panel { font-size: 0.95rem; line-height: 1.5; }
.sources-panel .sources-question, .sources-panel .sources-standalone { color: var(--body-text-color-subdued); margin: 0 0 .5rem; }
.source-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: .6rem .8rem;
               margin-bottom: .7rem; background: var(--block-background-fill); transition: box-shadow .3s; }
.source-card.flash { box-shadow: 0 0 0 3px var(--color-accent); }
.source-head { font-size: .85rem; margin-bottom: .35rem; }
.source-markers { font-weight: 700; }
.source-doc { font-family: var(--font-mono); }
.source-offsets { color: var(--body-text-color-subdued); }
.source-text mark.cited { background: #fde68a; color: #111; padding: 0 2px; border-radius: 3px; scroll-margin: 4rem; }
.source-text .mark-no { font-weight: 700; margin-right: 2px; }
.no-sources { font-style: italic; }
a.cite-marker { font-weight: 700; text-decoration: none; cursor: pointer; }
.notice { color: var(--body-text-color); }
.sources-earlier summary { cursor: pointer; margin: .5rem 0; }
.why-answer { margin: .4rem 0 .8rem; font-size: .9rem; }
.why-answer summary { cursor: pointer; font-weight: 600; }
.why-answer .why-reason { margin: .4rem 0; }
.why-table { border-collapse: collapse; margin: .4rem 0; font-size: .85rem; }
.why-table caption { text-align: left; font-weight: 600; }
.why-table th, .why-table td { border-bottom: 1px solid var(--border-color-primary); padding: 2px 6px; text-align: left;
                               vertical-align: top; }
"""

# A document-level handler: a click on a marker opens and scrolls to its highlighted sentence.
HEAD = """
<script>
document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest ? event.target.closest("a.cite-marker") : null;
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  var target = document.getElementById((link.getAttribute("href") || "").slice(1));
  if (!target) return;
  for (var d = target.closest("details"); d; d = d.parentElement ? d.parentElement.closest("details") : null) {
    d.open = true;
  }
  target.scrollIntoView({behavior: "smooth", block: "center"});
  var card = target.closest(".source-card") || target;
  card.classList.remove("flash");
  void card.offsetWidth;
  card.classList.add("flash");
  setTimeout(function () { card.classList.remove("flash"); }, 1600);
}, true);
</script>
"""


def new_state() -> dict[str, Any]:
    """One conversation: chat messages and, per exchange, the question and its Answer (or notice)."""
    return {"messages": [], "turns": []}


def _history(turns: list[dict[str, Any]]) -> list[dict[str, str]]:
    history = []
    for turn in turns:
        answer: Answer | None = turn["answer"]
        if answer is not None:
            history += [{"role": "user", "content": turn["question"]},
                        {"role": "assistant", "content": answer.answer}]
    return history


def _answered(turns: list[dict[str, Any]]) -> list[tuple[int, Answer]]:
    return [(i + 1, t["answer"]) for i, t in enumerate(turns) if t["answer"] is not None]


def _kept_question(question: str) -> str:
    """What the chat keeps of a question it could not answer: a short prefix, valid Unicode."""
    return printable(question if len(question) <= SHOWN_QUESTION_CHARS else question[:SHOWN_QUESTION_CHARS] + "…")


def _shown_question(question: str) -> str:
    question = _kept_question(question)
    return render_question(question)


def build_ui(backend: ChatBackend, feedback: FeedbackLog, info: CorpusInfo) -> gr.Blocks:
    """The chat as Gradio Blocks, ready to be mounted (see ``assistant.web.server``)."""

    def respond(question: str | None, state: dict[str, Any] | None, top_k: float | None,
                doc: str | None, mode: str | None) -> Iterator[tuple[str, list, str, dict]]:
        state = state or new_state()
        question = question or ""
        turns, messages = state["turns"], state["messages"]
        if not question.strip():  # an empty submit adds no turn
            yield gr.update(), messages, gr.update(), state
            return
        messages.append({"role": "user", "content": _shown_question(question)})
        messages.append({"role": "assistant", "content": PENDING})
        previous_panel = render_sources(_answered(turns))
        yield "", messages, PENDING_PANEL, state
        turn_no = len(turns) + 1
        answer, shown, last_frame, notice, refused = None, "", 0.0, None, False
        history = backend.limits.recent(_history(turns))  # a long chat sends its latest turns
        try:
            for item in backend.stream(question, history, int(top_k) if top_k else None,
                                       None if doc in (None, "", ALL_DOCUMENTS) else doc, mode or None):
                if isinstance(item, Answer):
                    answer = item
                    break
                shown += item
                wait = STREAM_STEP_SECONDS - (time.monotonic() - last_frame)
                if wait > 0:  # pace instant chunks so the answer visibly unfolds
                    time.sleep(wait)
                messages[-1] = {"role": "assistant", "content": render_answer(shown, [], turn_no)}
                yield "", messages, PENDING_PANEL, state
                last_frame = time.monotonic()
            if answer is None:
                raise RuntimeError("the answer stream ended without an answer")
        except AssistantError as exc:
            notice, refused = str(exc), isinstance(exc, QuestionError)
        except Exception:  # never a stack trace in the chat
            log.exception("answering %r failed", _kept_question(question))
            notice = INTERNAL_ERROR
        if notice is not None or answer is None:
            turns.append({"question": _kept_question(question), "answer": None, "notice": notice})
            messages[-1] = {"role": "assistant", "content": render_notice(notice or INTERNAL_ERROR)}
            yield (question if refused else ""), messages, previous_panel, state  # a refused question stays
            return                                                                # in the box, to be trimmed
        content = render_answer(answer.answer, answer.citations, turn_no, answer.short_answer)
        if getattr(answer, "notice", None):
            content += render_notice(answer.notice)
        messages[-1] = {"role": "assistant", "content": content}
        turns.append({"question": answer.question, "answer": answer, "notice": None})
        yield "", messages, render_sources(_answered(turns)), state

    def on_like(state: dict[str, Any] | None, like: gr.LikeData) -> None:
        turns = (state or new_state())["turns"]
        index = like.index if isinstance(like.index, int) else like.index[0]
        turn_index = index // 2
        if not 0 <= turn_index < len(turns):
            return
        turn = turns[turn_index]
        feedback.record(rating_of(like.liked), turn["answer"], question=turn["question"],
                        message=turn["notice"] or "", message_index=index)

    def clear() -> tuple[list, str, dict, str]:
        return [], EMPTY_PANEL, new_state(), ""

    def ask(question: str, history: list[dict[str, str]] | None = None, top_k: int | None = None,
            doc: str | None = None) -> dict:
        """Answer a question about the corpus: the answer text with [n] markers, citations (doc, section,
        start, end, exact text) and the retrieved passages. ``doc`` limits the answer to one article."""
        try:
            return backend.ask(question, history or [], top_k, doc or None).model_dump()
        except AssistantError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except Exception:  # never internals in the reply
            log.exception("/ask failed")
            raise gr.Error(INTERNAL_ERROR, print_exception=False) from None

    with gr.Blocks(title=info.title, fill_width=True, analytics_enabled=False) as demo:
        gr.HTML(f'<div id="chat-header"><h1>{html.escape(info.title)}</h1>'
                f'<p class="chat-description">{html.escape(info.description)}</p></div>',
                js_on_load=None)
        state = gr.State(new_state())
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Chat", elem_id="chat", height=540, render_markdown=False, sanitize_html=True,
                    latex_delimiters=[], allow_tags=False, buttons=["copy"],
                    feedback_options=("Like", "Dislike"), layout="bubble",
                    placeholder="Ask a question about the article, or pick an example below.",
                )
                with gr.Row():
                    textbox = gr.Textbox(placeholder="Ask about the article…", show_label=False, lines=1,
                                         max_lines=4, scale=6, elem_id="question", autofocus=True)
                    ask_button = gr.Button("Ask", variant="primary", scale=1, elem_id="ask-button")
                clear_button = gr.Button("Clear chat", variant="secondary", size="sm", elem_id="clear-button")
                examples = gr.Examples(examples=[[q] for q in info.examples], inputs=[textbox],
                                       label="Examples") if info.examples else None
                with gr.Accordion("Settings", open=False, elem_id="settings"):
                    top_k = gr.Slider(1, MAX_TOP_K, value=backend.default_top_k, step=1,
                                      label="Passages retrieved per question", elem_id="top-k")
                    modes = backend.answer_modes
                    # allow_custom_value: the backend checks both choices and quotes a bad one briefly
                    # (Gradio's own check would echo all of it)
                    mode = gr.Dropdown(modes, value=modes[0], label="Answer mode", elem_id="answer-mode",
                                       visible=len(modes) > 1, allow_custom_value=True)
                    documents = backend.documents
                    doc = gr.Dropdown([ALL_DOCUMENTS, *documents], value=ALL_DOCUMENTS, label="Answer from",
                                      elem_id="document", visible=len(documents) > 1, allow_custom_value=True)
                mount_documents_panel(backend, doc, ALL_DOCUMENTS)
            with gr.Column(scale=2, elem_id="sources-col"):
                gr.HTML("<h2 id='sources-title'>Sources</h2>", js_on_load=None)
                sources = gr.HTML(EMPTY_PANEL, elem_id="sources", js_on_load=None)

        outputs = [textbox, chatbot, sources, state]
        ui = {"api_visibility": "private", "concurrency_limit": 4, "show_progress": "hidden"}
        textbox.submit(respond, [textbox, state, top_k, doc, mode], outputs, **ui)
        ask_button.click(respond, [textbox, state, top_k, doc, mode], outputs, **ui)
        if examples is not None:
            examples.load_input_event.then(respond, [textbox, state, top_k, doc, mode], outputs, **ui)
        clear_button.click(clear, None, [chatbot, sources, state, textbox], api_visibility="private")
        chatbot.clear(clear, None, [chatbot, sources, state, textbox], api_visibility="private")
        chatbot.like(on_like, [state], None, api_visibility="private")
        gr.api(ask, api_name="ask", concurrency_limit=4)
    return demo
