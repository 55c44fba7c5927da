"""The chat's Documents panel: drop or pick a file, watch it upload and be indexed, then ask about it.

The panel is plain HTML and a script (``gr.HTML`` with ``js_on_load``) talking to ``/api/documents``
on the same origin, so an upload passes the same checks, limits, basic auth and index write lock as
any other (Gradio's own upload route stays closed). It shows the upload's progress, then "indexing"
until the server answers, and lists the indexed documents with their title, byline, date and URL. When
a document was added, the script hands its name to a hidden textbox and clicks a hidden button: the
chat's "Answer from" selector then lists it and selects it, so the next question is asked of it.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.web.backend import ChatBackend

ACCEPTED = ".txt,.md,.html,.htm,.pdf,.docx"

PANEL_HTML = f"""
<div class="documents-panel">
  <div class="drop-zone" id="documents-drop" tabindex="0">
    <p>Drop an article here (HTML page, PDF, Word .docx, .txt or .md), or
      <label class="pick-file">pick a file<input type="file" id="documents-file" accept="{ACCEPTED}" hidden></label>.</p>
    <label class="replace"><input type="checkbox" id="documents-replace"> replace a document of the same name</label>
  </div>
  <div class="upload-status" id="documents-status" role="status" aria-live="polite"></div>
  <progress id="documents-progress" max="100" hidden></progress>
  <ul class="documents-list" id="documents-list"></ul>
</div>
"""

PANEL_CSS = """
.documents-panel .drop-zone { border: 2px dashed var(--border-color-primary); border-radius: 8px; padding: .6rem .8rem; }
.documents-panel .drop-zone.over { border-color: var(--color-accent); background: var(--background-fill-secondary); }
.documents-panel .pick-file { text-decoration: underline; cursor: pointer; }
.documents-panel .upload-status { margin: .4rem 0; }
.documents-panel .upload-status.error { color: var(--error-text-color, #b91c1c); }
.documents-panel progress { width: 100%; }
.documents-panel .documents-list { font-size: .9rem; padding-left: 1.2rem; }
.documents-panel .doc-meta { color: var(--body-text-color-subdued); }
"""

# Runs once when the panel is shown: ``element`` is the panel's container.
PANEL_JS = r"""
const root = element;
const status = root.querySelector('#documents-status');
const bar = root.querySelector('#documents-progress');
const list = root.querySelector('#documents-list');
const input = root.querySelector('#documents-file');
const drop = root.querySelector('#documents-drop');
const replace = root.querySelector('#documents-replace');
const api = window.location.pathname.replace(/\/+$/, '') + '/api/documents';

function say(text, error) {
  status.textContent = text;
  status.classList.toggle('error', !!error);
}

function item(doc) {
  const li = document.createElement('li');
  const name = document.createElement('strong');
  name.textContent = doc.title || doc.name;
  li.appendChild(name);
  const meta = document.createElement('span');
  meta.className = 'doc-meta';
  const parts = [doc.name, doc.author && ('by ' + doc.author), doc.date, doc.url,
                 doc.pages ? doc.pages + ' pages' : '', doc.passages + ' passages'].filter(Boolean);
  meta.textContent = ' — ' + parts.join(' · ');
  li.appendChild(meta);
  li.dataset.doc = doc.name;
  return li;
}

function refreshList() {
  fetch(api, {credentials: 'same-origin'}).then(r => r.ok ? r.json() : {documents: []}).then(data => {
    list.replaceChildren(...data.documents.map(item));
  }).catch(() => {});
}

function selectInChat(name) {
  const box = document.querySelector('#documents-added textarea, #documents-added input');
  const button = document.querySelector('#documents-refresh');
  if (!box || !button) return;
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(box), 'value').set;
  setter.call(box, name);
  box.dispatchEvent(new Event('input', {bubbles: true}));
  setTimeout(() => button.click(), 50);
}

function upload(file) {
  if (!file) return;
  const form = new FormData();
  form.append('file', file, file.name);
  if (replace.checked) form.append('replace', 'true');
  const xhr = new XMLHttpRequest();
  xhr.open('POST', api);
  bar.hidden = false;
  bar.value = 0;
  say('Uploading ' + file.name + '…');
  xhr.upload.onprogress = e => { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
  xhr.upload.onload = () => { bar.removeAttribute('value'); say('Indexing ' + file.name + '… (you can keep asking meanwhile)'); };
  xhr.onload = () => {
    bar.hidden = true;
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch (e) {}
    if (xhr.status === 201) {
      say((body.replaced ? 'Replaced ' : 'Added ') + body.name + ': ' + body.passages + ' passages, ' +
          body.sentences + ' sentences. Questions now go to it (Settings → Answer from).');
      refreshList();
      selectInChat(body.name);
    } else {
      say('Not added: ' + (body.error || ('HTTP ' + xhr.status)), true);
    }
    input.value = '';
  };
  xhr.onerror = () => { bar.hidden = true; say('Not added: the upload failed (connection lost?)', true); };
  xhr.send(form);
}

input.addEventListener('change', () => upload(input.files[0]));
drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', e => {
  e.preventDefault();
  drop.classList.remove('over');
  if (e.dataTransfer && e.dataTransfer.files.length) upload(e.dataTransfer.files[0]);
});
refreshList();
"""


def mount_documents_panel(backend: ChatBackend, selector: gr.Dropdown, all_label: str) -> None:
    """Render the Documents panel where it is called, and wire it to the chat's document ``selector``
    (whose first choice, ``all_label``, means every document)."""

    def select(name: str | None) -> dict[str, Any]:
        backend.follow()
        documents = backend.documents
        chosen = name if name in documents else all_label
        return gr.update(choices=[all_label, *documents], value=chosen, visible=len(documents) > 1)

    with gr.Accordion("Documents", open=False, elem_id="documents"):
        gr.HTML(PANEL_HTML, css_template=PANEL_CSS, js_on_load=PANEL_JS, elem_id="documents-upload")
        added = gr.Textbox(visible="hidden", elem_id="documents-added", show_label=False)
        refresh = gr.Button("Refresh documents", visible="hidden", elem_id="documents-refresh")
    refresh.click(select, [added], [selector], api_visibility="private", show_progress="hidden")


__all__ = ["mount_documents_panel"]
