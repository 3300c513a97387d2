"""What the bot says and does: handlers of a Context that return LINE messages (no Flask here)."""
