"""Start the web chat and its JSON API: ``python app.py`` → http://127.0.0.1:7860 (see README, "Web chat")."""

import sys

import assistant  # noqa: F401  (offline environment before gradio and the models are imported)
from assistant.web.server import main

if __name__ == "__main__":
    sys.exit(main())
