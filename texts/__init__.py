"""What the bot says, in Thai, one module per domain so it can be reviewed in one place."""
