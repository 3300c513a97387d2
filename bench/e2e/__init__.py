"""The end-to-end bench: from an event's delivery to the webhook until the bot's answer reaches LINE."""
