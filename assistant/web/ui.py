"""The Gradio Blocks of the web chat. It receives a ``ChatBackend`` and never builds the engine.

Layout: a side list of the conversations kept in the browser (New chat, Delete, Copy, Export); the chat
(streamed answers with ``[n]`` links) and, beside it, the Sources panel of the latest answer; under the
chat the question box, Stop/Regenerate/Edit, suggested follow-ups, examples and a settings accordion;
the reader view of the article, shown over the page by a marker or "Show [n] in the article". Every way of asking
is one event (``respond``), so one submit is one turn.
Messages are HTML made by ``assistant.web.render`` (escaped), so the Chatbot renders no Markdown.
The same answers are exposed headless as the ``/ask`` API endpoint for ``gradio_client``.
"""

from __future__ import annotations

import html
import logging
import secrets
import time
from collections.abc import Iterator
from typing import Any

import gradio as gr

from assistant.errors import AssistantError, QuestionError
from assistant.types import Answer
from assistant.web import assets, conversation, conversations, export, reader, suggestions
from assistant.web.backend import MAX_TOP_K, ChatBackend, CorpusInfo
from assistant.web.documents_panel import mount_documents_panel
from assistant.web.feedback import REASONS, FeedbackLog, rating_of
from assistant.web.render import (
    EMPTY_PANEL,
    render_notice,
    render_sources,
)

log = logging.getLogger(__name__)

STREAM_STEP_SECONDS = 0.03
PENDING = '<span class="answer pending">Reading the article…</span>'
PENDING_PANEL = '<div class="sources-panel"><p class="sources-hint">Looking for the passages that answer this…</p></div>'
ALL_DOCUMENTS = "All articles"
REGENERATE_ID, EXAMPLES_ID, SUGGESTIONS_ID = "regenerate-button", "examples", "suggestions"
STORAGE_KEY = "assistant-conversations"
COPY_JS = "(text) => { navigator.clipboard.writeText(text || ''); }"
DOWNLOAD_JS = """(text) => {{
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text || ""], {{type: "{kind};charset=utf-8"}}));
  link.download = "{name}";
  document.body.appendChild(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}}"""
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

# The page's script: markers open their sentence, narrow screens fold the list (assistant/web/static/chat.js).
HEAD = assets.head()


def build_ui(backend: ChatBackend, feedback: FeedbackLog, info: CorpusInfo,
             keeping: conversations.Keeping | None = None) -> gr.Blocks:
    """The chat as Gradio Blocks, ready to be mounted (see ``assistant.web.server``); ``keeping`` gives the
    key and caps of the conversations kept in the browser (default: a key of this process only)."""
    keeping = keeping or conversations.Keeping(secrets.token_urlsafe(24))
    suggester = suggestions.Suggester(lambda question: backend.ask(question))

    def controls(state: dict[str, Any]) -> tuple[dict, dict, dict, dict]:
        """Ask, Stop, Regenerate, Edit: Ask locked and Stop shown while an answer streams."""
        running, has_turn = conversation.busy(state), bool(state["turns"])
        return (gr.update(interactive=not running), gr.update(visible=running),
                gr.update(interactive=has_turn and not running), gr.update(interactive=has_turn and not running))

    def respond(question: str | None, state: dict[str, Any] | None, top_k: float | None, doc: str | None,
                mode: str | None, example: list | None, suggestion: list | None, event: gr.EventData
                ) -> Iterator[tuple]:
        """The chat's answer to one submit (Enter, Ask, an example or Regenerate), streamed.

        The question box is cleared once, when the question is taken, and left alone while the answer
        streams, so text typed meanwhile stays; a submit while an answer streams adds no turn."""
        state = state or conversation.new_state()
        target = getattr(event, "target", None)
        keep = gr.update()
        if conversation.busy(state):  # one answer at a time (the page also locks Ask)
            yield keep, gr.update(), gr.update(), state, *controls(state)
            return
        by = getattr(target, "elem_id", None)  # a session holds updated copies of the buttons: not `is`
        from_box = by not in (REGENERATE_ID, EXAMPLES_ID, SUGGESTIONS_ID)
        if by == REGENERATE_ID:
            question = conversation.pop_last(state) or ""
        elif by == SUGGESTIONS_ID and suggestion:
            question = str(suggestion[0])
        elif by == EXAMPLES_ID and example:
            question = str(example[0])
        else:
            question = question or ""
        if not question.strip():  # an empty submit adds no turn
            yield keep, state["messages"], render_sources(conversation.answered(state["turns"])), state, \
                *controls(state)
            return
        turns = state["turns"]
        previous_panel = render_sources(conversation.answered(turns))
        history = backend.limits.recent(conversation.history(turns))  # a long chat sends its latest turns
        run = conversation.begin(state, question, PENDING)
        yield ("" if from_box else keep), state["messages"], PENDING_PANEL, state, *controls(state)
        turn_no = len(turns) + 1
        answer, shown, last_frame, notice, refused = None, "", 0.0, None, False
        try:
            for item in backend.stream(question, history, int(top_k) if top_k else None,
                                       None if doc in (None, "", ALL_DOCUMENTS) else doc, mode or None):
                if not conversation.current(state, run):  # stopped
                    return
                if isinstance(item, Answer):
                    answer = item
                    break
                shown += item
                wait = STREAM_STEP_SECONDS - (time.monotonic() - last_frame)
                if wait > 0:  # pace instant chunks so the answer visibly unfolds
                    time.sleep(wait)
                conversation.show(state, run, conversation.streaming_content(shown, turn_no))
                yield keep, state["messages"], PENDING_PANEL, state, *(gr.update(),) * 4
                last_frame = time.monotonic()
            if answer is None:
                raise RuntimeError("the answer stream ended without an answer")
        except AssistantError as exc:
            notice, refused = str(exc), isinstance(exc, QuestionError)
        except Exception:  # never a stack trace in the chat
            log.exception("answering %r failed", conversation.kept_question(question))
            notice = INTERNAL_ERROR
        finally:
            if notice is None and answer is None:  # closed early (stopped, or the page went away)
                conversation.release(state, run)
        if notice is not None or answer is None:
            if conversation.finish(state, run, conversation.kept_question(question), None,
                                   render_notice(notice or INTERNAL_ERROR), notice):
                box = question if refused and from_box else keep  # a refused question stays in the box
                yield box, state["messages"], previous_panel, state, *controls(state)  # to be trimmed
            return
        content = conversation.reply_content(answer, turn_no)
        if conversation.finish(state, run, answer.question, answer, content):
            yield keep, state["messages"], render_sources(conversation.answered(turns)), state, *controls(state)

    def stop(state: dict[str, Any] | None) -> tuple:
        """Stop: the streaming answer ends where it is, marked as stopped, and Ask is unlocked."""
        state = state or conversation.new_state()
        conversation.stop(state)
        return state["messages"], render_sources(conversation.answered(state["turns"])), state, *controls(state)

    def edit_last(question: str | None, state: dict[str, Any] | None) -> tuple:
        """Edit: the last question goes back into the box, to be changed and sent again; its turn is removed."""
        state = state or conversation.new_state()
        last = conversation.pop_last(state)
        box = gr.update() if last is None else last
        return (box, state["messages"], render_sources(conversation.answered(state["turns"])), state,
                *controls(state))

    def turn_of(state: dict[str, Any] | None, index: int | None) -> dict[str, Any] | None:
        turns = (state or conversation.new_state())["turns"]
        return turns[index // 2] if isinstance(index, int) and 0 <= index // 2 < len(turns) else None

    def on_like(state: dict[str, Any] | None, like: gr.LikeData) -> tuple:
        """👍/👎 logged with the turn; a 👎 then asks for an optional reason."""
        index = like.index if isinstance(like.index, int) else like.index[0]
        turn = turn_of(state, index)
        if turn is None:
            return gr.update(visible=False, value=None), None
        feedback.record(rating_of(like.liked), turn["answer"], question=turn["question"],
                        message=turn["notice"] or "", message_index=index)
        disliked = like.liked is False
        return gr.update(visible=disliked, value=None), (index if disliked else None)

    def on_reason(reason: str | None, state: dict[str, Any] | None, index: int | None) -> tuple:
        """The reason of the last 👎, logged with its turn; the question folds away."""
        turn = turn_of(state, index)
        if turn is not None and reason in REASONS:
            feedback.record("dislike", turn["answer"], question=turn["question"], message=turn["notice"] or "",
                            message_index=index, reason=reason)
        return gr.update(visible=False, value=None), None

    def shown(state: dict[str, Any]) -> tuple:
        """Chat, Sources panel, the state itself, then Ask/Stop/Regenerate/Edit, for ``state``."""
        return state["messages"], render_sources(conversation.answered(state["turns"])), state, *controls(state)

    def new_chat(state: dict[str, Any] | None) -> tuple:
        """New chat: an empty conversation (a streaming answer is stopped; the old one stays in the list)."""
        conversation.stop(state := state if state is not None else conversation.new_state())
        return *shown(conversation.replace(state, conversation.new_state())), ""

    def open_saved(state: dict[str, Any], saved: dict[str, Any] | None) -> dict[str, Any]:
        """Make ``state`` the saved conversation (a fresh one when there is none)."""
        fresh = conversation.new_state()
        if saved is not None:
            turns = conversations.live_turns(saved["turns"], keeping.max_turns)
            fresh.update(id=saved["id"], turns=turns, messages=conversations.messages_of(turns))
        return conversation.replace(state, fresh)

    def restore(raw: Any, state: dict[str, Any] | None, library: dict[str, Any] | None) -> tuple:
        """Page load: the browser's saved conversations into the session, the last one open."""
        library = conversations.read_library(raw, keeping.max_conversations, keeping.max_turns)
        state = open_saved(state if state is not None else conversation.new_state(),
                           conversations.find(library, raw.get("current") if isinstance(raw, dict) else None))
        return *shown(state), library, listed(state, library)

    def listed(state: dict[str, Any], library: dict[str, Any]) -> dict:
        return gr.update(choices=conversations.choices(library, state["id"], state["turns"]), value=state["id"])

    def persist(state: dict[str, Any] | None, library: dict[str, Any] | None) -> tuple:
        """After every change: the session's library and the browser's copy, and the side list."""
        state = state if state is not None else conversation.new_state()
        library = conversations.save(library or conversations.empty_library(), state["id"], state["turns"],
                                     keeping.max_conversations, keeping.max_bytes)
        title = conversations.title_of(state["turns"])
        return (library, {**library, "current": state["id"]}, listed(state, library),
                export.to_markdown(title, state["turns"]), export.to_json(title, state["turns"]),
                reader_view(state["turns"]), suggested(state["turns"]))

    def suggested(turns: list[dict[str, Any]]) -> dict:
        """The suggested follow-ups under the chat (hidden when there is none)."""
        passages = backend.service.retriever.passages.values()
        questions = suggester.suggest(turns, passages, reader.default_document(turns, backend.documents))
        return gr.update(samples=[[q] for q in questions], visible=bool(questions))

    def reader_view(turns: list[dict[str, Any]], doc: str | None = None) -> str:
        """The reader view of ``doc`` (default: the latest cited sentence's document, else the first)."""
        passages = backend.service.retriever.passages.values()
        return reader.render_reader(doc or reader.default_document(turns, backend.documents), passages, turns)

    def switch(chosen: str | None, state: dict[str, Any] | None, library: dict[str, Any] | None) -> tuple:
        """A conversation picked in the list (a streaming answer is stopped first and kept as stopped)."""
        state = state if state is not None else conversation.new_state()
        conversation.stop(state)
        library = conversations.save(library or conversations.empty_library(), state["id"], state["turns"],
                                     keeping.max_conversations, keeping.max_bytes)
        saved = conversations.find(library, chosen)
        if saved is not None:
            open_saved(state, saved)
        return *shown(state), library

    def delete_chat(state: dict[str, Any] | None, library: dict[str, Any] | None) -> tuple:
        """Delete: the open conversation leaves the list; a new chat opens."""
        state = state if state is not None else conversation.new_state()
        library = conversations.delete(library or conversations.empty_library(), state["id"])
        return *shown(conversation.replace(state, conversation.new_state())), library

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
        # None until the page's load event (restore) sets them: a callable default would be set by a load
        # event of Gradio's own, racing with restore
        state, library = gr.State(None), gr.State(None)
        store = gr.BrowserState(conversations.empty_library(), storage_key=STORAGE_KEY, secret=keeping.secret)
        with gr.Sidebar(label="Conversations", open=True, elem_id="conversations"):
            new_button = gr.Button("New chat", variant="primary", size="sm", elem_id="new-chat")
            conversation_list = gr.Radio([], label="Conversations", elem_id="conversation-list")
            delete_button = gr.Button("Delete this conversation", variant="stop", size="sm", elem_id="delete-chat")
            with gr.Row(elem_id="export-actions"):
                copy_button = gr.Button("Copy as text", size="sm", elem_id="copy-chat")
                markdown_button = gr.Button("Export Markdown", size="sm", elem_id="export-markdown")
                json_button = gr.Button("Export JSON", size="sm", elem_id="export-json")
            markdown_text = gr.Textbox(visible=False, elem_id="export-markdown-text")
            json_text = gr.Textbox(visible=False, elem_id="export-json-text")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Chat", elem_id="chat", height=540, render_markdown=False, sanitize_html=True,
                    latex_delimiters=[], allow_tags=False, buttons=[],  # "Copy as text", not HTML
                    feedback_options=("Like", "Dislike"), layout="bubble",
                    placeholder="Ask a question about the article, or pick an example below.",
                )
                with gr.Row():
                    textbox = gr.Textbox(label="Your question", placeholder="Ask about the article…", show_label=False, lines=1,
                                         max_lines=4, scale=6, elem_id="question")  # no autofocus: it scrolls a phone
                    ask_button = gr.Button("Ask", variant="primary", scale=1, elem_id="ask-button")
                suggested_list = gr.Dataset(components=[textbox], samples=[], label="Suggested follow-ups",
                                            type="values", elem_id=SUGGESTIONS_ID, visible=False)
                reason = gr.Radio([(r.capitalize(), r) for r in REASONS], label="What was wrong? (optional)",
                                  visible=False, elem_id="dislike-reason")
                disliked = gr.State(None)  # the message index of the last 👎
                with gr.Row(elem_id="turn-actions"):
                    stop_button = gr.Button("Stop", variant="stop", size="sm", elem_id="stop-button",
                                            visible=False)
                    regenerate_button = gr.Button("Regenerate", size="sm", elem_id=REGENERATE_ID,
                                                  interactive=False)
                    edit_button = gr.Button("Edit last question", size="sm", elem_id="edit-button",
                                            interactive=False)
                # a Dataset rather than gr.Examples, so that a click is one more trigger of the one answer event
                examples = gr.Dataset(components=[textbox], samples=[[q] for q in info.examples], label="Examples",
                                      type="values", elem_id=EXAMPLES_ID, visible=bool(info.examples))
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
        # the whole article, shown over the page by "Show [n] in the article" (assistant/web/static/chat.js)
        reader_panel = gr.HTML("", elem_id="reader", js_on_load=None)

        buttons = [ask_button, stop_button, regenerate_button, edit_button]
        outputs = [textbox, chatbot, sources, state, *buttons]
        # One event for every way of asking, and trigger_mode "once": while it runs, the page ignores a
        # second submit (Enter then a click on Ask is one turn).
        answering = gr.on([textbox.submit, ask_button.click, examples.click, suggested_list.click,
                           regenerate_button.click], respond,
                          [textbox, state, top_k, doc, mode, examples, suggested_list], outputs, api_visibility="private",
                          concurrency_limit=4, show_progress="hidden", trigger_mode="once")
        quick = {"api_visibility": "private", "concurrency_limit": None, "show_progress": "hidden"}
        saved = [library, store, conversation_list, markdown_text, json_text, reader_panel, suggested_list]
        stop_button.click(stop, [state], [chatbot, sources, state, *buttons], cancels=[answering], **quick
                          ).then(persist, [state, library], saved, **quick)
        answering.then(persist, [state, library], saved, **quick)
        edit_button.click(edit_last, [textbox, state], outputs, **quick).then(persist, [state, library], saved, **quick)
        fresh = [chatbot, sources, state, *buttons, textbox]
        for trigger in (new_button.click, chatbot.clear):
            trigger(new_chat, [state], fresh, cancels=[answering], **quick).then(persist, [state, library], saved, **quick)
        delete_button.click(delete_chat, [state, library], [chatbot, sources, state, *buttons, library],
                            cancels=[answering], **quick).then(persist, [state, library], saved, **quick)
        conversation_list.input(switch, [conversation_list, state, library], [chatbot, sources, state, *buttons, library],
                                cancels=[answering], **quick).then(persist, [state, library], saved, **quick)
        demo.load(restore, [store, state, library], [chatbot, sources, state, *buttons, library, conversation_list],
                  **quick).then(persist, [state, library], saved, **quick)
        copy_button.click(None, [markdown_text], None, js=COPY_JS)
        markdown_button.click(None, [markdown_text], None, js=DOWNLOAD_JS.format(name="conversation.md", kind="text/markdown"))
        json_button.click(None, [json_text], None, js=DOWNLOAD_JS.format(name="conversation.json", kind="application/json"))
        chatbot.like(on_like, [state], [reason, disliked], api_visibility="private")
        reason.input(on_reason, [reason, state, disliked], [reason, disliked], **quick)
        gr.api(ask, api_name="ask", concurrency_limit=4)
    return demo
