"""Keep every library offline: no model hub, no analytics. Imported first by the package."""

import os

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}

for _name, _value in OFFLINE_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)
