"""The web chat (Gradio) and the JSON API, served together by ``assistant.web.server``."""
