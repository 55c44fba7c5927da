"""Running question-answer sets against the assistant and scoring the answers."""
